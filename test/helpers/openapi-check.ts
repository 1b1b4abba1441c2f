import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { apiReference } from '../../src/api-reference.js';
import type { OpenApiDocument } from '../../src/http/openapi/openapi-document.js';
import type { OperationObject, PathItem } from '../../src/http/openapi/openapi-types.js';

const DOC_ID = 'offerd-openapi';
const ENVELOPES = ['BannerError', 'TrackError', 'OfferwallError', 'JourneysError', 'AdminError'];
/** What Node's HTTP parser answers on any path before an API sees the request. */
const TRANSPORT = `${DOC_ID}#/components/schemas/TransportError`;
const TRANSPORT_STATUSES = [400, 408, 417, 431];
/** What a path's `before` chain (auth, CORS, body reader) may answer for a method the path lacks. */
const BEFORE_ROUTE = [400, 401, 403, 405, 413, 415];

interface KnownPath {
  template: string;
  pattern: RegExp;
  params: number;
  item: PathItem;
}

/** A JSON pointer token (RFC 6901). */
const token = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Path parameters that take the rest of the path, slashes included (`x-offerd-rest-of-path`). */
function restParams(item: PathItem): Set<string> {
  const ops = Object.values(item).filter((v): v is OperationObject => typeof v === 'object' && v !== null);
  return new Set(
    ops.flatMap((op) => (op.parameters ?? []).filter((p) => p['x-offerd-rest-of-path']).map((p) => p.name)),
  );
}

/** `/users/{uid}/x` → a case-insensitive matcher, as @koa/router matches (a trailing slash allowed). */
function matcherOf(template: string, item: PathItem): RegExp {
  const rest = restParams(item);
  const param = (part: string) => (rest.has(part.slice(1, -1)) ? '.*' : '[^/]+');
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? param(part) : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`, 'i');
}

/**
 * Holds a response to the API reference: the path and method must be documented, the
 * status among the operation's responses, the media type among the response's, and a
 * JSON body valid against its schema (ajv 2020: the OpenAPI 3.1 dialect). Paths the
 * document does not have may only answer a 4xx in one of the documented error envelopes.
 */
export class ResponseChecker {
  readonly #ajv: Ajv2020;
  readonly #paths: KnownPath[];

  constructor(document: OpenApiDocument) {
    // Not strict: the document's own keys (openapi, paths…) are no JSON Schema keywords.
    this.#ajv = new Ajv2020({ strict: false, allErrors: true, allowUnionTypes: true });
    addFormats.default(this.#ajv);
    this.#ajv.addSchema(document, DOC_ID);
    this.#paths = Object.entries(document.paths)
      .map(([template, item]) => ({
        template,
        item,
        pattern: matcherOf(template, item),
        params: (template.match(/\{/g) ?? []).length,
      }))
      // A literal path wins over a template that also matches it, as in the router.
      .sort((a, b) => a.params - b.params);
  }

  /** `METHOD /template status` of a response, for coverage; null off the document's paths. */
  operationOf(method: string, url: URL, status: number): string | null {
    const known = this.#paths.find((p) => p.pattern.test(url.pathname));
    return known ? `${method} ${known.template} ${status}` : null;
  }

  /** Problems of one response; none when it is what the document says. */
  check(method: string, url: URL, status: number, contentType: string | null, text: string): string[] {
    const known = this.#paths.find((p) => p.pattern.test(url.pathname));
    const what = `${method} ${url.pathname} → ${status}`;
    // Refused by Node's parser before routing: the neutral TransportError, or (a readable
    // request line on an API's path) that API's own envelope, as TransportError documents.
    if (
      TRANSPORT_STATUSES.includes(status) &&
      (this.#validate(what, TRANSPORT, text).length === 0 || this.#anyEnvelope(what, text).length === 0)
    )
      return [];
    if (method === 'HEAD') return this.#head(what, known, status);
    if (!known) {
      // GamifyHost's /v1 base answers preflights for its SDK's widget (journeys-routes.ts);
      // where else an unknown path's preflight must stay a 404 is edge.test.ts's to say.
      if (method === 'OPTIONS' && status === 204) return [];
      if (status < 400 || status >= 500) return [`${what}: a path the API reference does not describe`];
      return this.#anyEnvelope(what, text);
    }
    const verb = (method === 'HEAD' ? 'get' : method.toLowerCase()) as keyof PathItem;
    const op = known.item[verb] as OperationObject | undefined;
    if (!op) return this.#otherMethod(what, known, method, status, text);
    const response = op.responses[String(status)];
    if (!response) return [`${what}: status ${status} is not documented for ${method} ${known.template}`];
    const media = (contentType ?? '').split(';')[0]?.trim() ?? '';
    if (!response.content || (text === '' && !response.content[media])) return [];
    if (!response.content[media]) return [`${what}: ${media || 'no content type'} is not documented`];
    if (media !== 'application/json') return [];
    const pointer = `${DOC_ID}#/paths/${token(known.template)}/${verb}/responses/${status}/content/application~1json/schema`;
    return this.#validate(what, pointer, text);
  }

  /** HEAD has no body to judge: its status must be one GET has, the edge's, or a 4xx off the document's paths. */
  #head(what: string, known: KnownPath | undefined, status: number): string[] {
    const get = known?.item.get;
    if (TRANSPORT_STATUSES.includes(status)) return [];
    const fine = known
      ? BEFORE_ROUTE.includes(status) || (get !== undefined && String(status) in get.responses)
      : status >= 400 && status < 500;
    return fine ? [] : [`${what}: not a status GET answers here`];
  }

  /** A method the path lacks: 405 in the path's envelope, or what its `before` chain says first; preflights are CORS's. */
  #otherMethod(what: string, known: KnownPath, method: string, status: number, text: string): string[] {
    if (method === 'OPTIONS' && status === 204) return [];
    if (!BEFORE_ROUTE.includes(status)) return [`${what}: ${method} is not documented for ${known.template}`];
    const family = known.item['x-offerd-family'];
    const schema = {
      banner: 'BannerError',
      track: 'TrackError',
      offerwall: 'OfferwallError',
      journeys: 'JourneysError',
    }[family];
    return this.#validate(what, `${DOC_ID}#/components/schemas/${schema ?? 'AdminError'}`, text);
  }

  #anyEnvelope(what: string, text: string): string[] {
    const problems = ENVELOPES.map((name) =>
      this.#validate(what, `${DOC_ID}#/components/schemas/${name}`, text),
    );
    return problems.some((p) => p.length === 0)
      ? []
      : [`${what}: the body is in no documented error envelope: ${text}`];
  }

  #validate(what: string, pointer: string, text: string): string[] {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [`${what}: the body is not JSON: ${text.slice(0, 200)}`];
    }
    const validate = this.#ajv.getSchema(pointer);
    if (!validate) return [`${what}: no schema at ${pointer}`];
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${what}: body${e.instancePath} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`,
    );
  }
}

const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** The reference every test response is held to (the one the service serves at /openapi.json). */
export const API_REFERENCE = apiReference(VERSION);
const CHECKER = new ResponseChecker(API_REFERENCE);

/**
 * fetch, then the response held to the API reference: a response it does not describe
 * fails the test with what differs. The body stays readable for the caller.
 */
export async function checkedFetch(input: string | URL, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, init).catch((err: unknown) => {
    throw new Error(`${init?.method ?? 'GET'} ${String(input)}: ${describeFetchFailure(err)}`, {
      cause: err,
    });
  });
  const text = await res.clone().text();
  const method = (init?.method ?? 'GET').toUpperCase();
  const problems = CHECKER.check(
    method,
    new URL(String(input)),
    res.status,
    res.headers.get('content-type'),
    text,
  );
  if (problems.length > 0)
    throw new Error(`The response differs from the API reference:\n${problems.join('\n')}`);
  // OPENAPI_COVERAGE=file: which documented operation answered which status, one line each.
  const file = process.env.OPENAPI_COVERAGE;
  const seen = file ? CHECKER.operationOf(method, new URL(String(input)), res.status) : null;
  if (file && seen) appendFileSync(file, `${seen}\n`);
  return res;
}

/**
 * What made a fetch fail, from undici's cause chain: AVA prints a bare "fetch failed"
 * otherwise, and a CI run that failed once is then impossible to diagnose.
 */
export function describeFetchFailure(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 5; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${e.message} (${code})` : e.message);
  }
  return parts.join(' <- ') || String(err);
}
