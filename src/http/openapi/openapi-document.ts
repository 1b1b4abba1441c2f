import type { ApiFamily } from '../api-family.js';
import { ERROR_ENVELOPES } from './error-envelopes.js';
import { BODY_ERRORS, ERROR_SCHEMA, errorResponses } from './openapi-builders.js';
import type {
  HttpMethod,
  JsonSchema,
  OpenApiPart,
  OperationObject,
  PathItem,
  SecurityScheme,
} from './openapi-types.js';

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, SecurityScheme> };
}

/** Adds `more` to `into`, refusing a name two parts define: one would silently win. */
function mergeInto<T>(into: Record<string, T>, more: Record<string, T> | undefined, what: string): void {
  for (const [name, value] of Object.entries(more ?? {})) {
    if (name in into) throw new Error(`OpenAPI: two parts define ${what} '${name}'`);
    into[name] = value;
  }
}

const METHODS: readonly HttpMethod[] = ['get', 'post', 'put', 'delete'];

const INTERNAL = { 500: 'Unexpected: logged with this request’s id; nothing leaks.' };
/** The body reader of every API router answers these for any POST or PUT before the route runs. */
const BODY_READER = { 400: 'The body is not valid JSON.', ...BODY_ERRORS };

/** error-middleware.ts answers this for a store error on any API route: nothing was decided. */
const STORE_DOWN =
  '`STORE_UNAVAILABLE`: the database is unreachable, restarting or too slow; nothing was decided or saved — retry [ours].';

/** What a route's own part may leave out: its family's 500 and 503, and its body reader's errors. */
function edgeResponses(method: HttpMethod, family: ApiFamily): Record<number, string> {
  if (family === 'neutral') return INTERNAL;
  // The SDK routes answer the body reader's refusals with 200 and `0` (api-family.ts statusFor).
  const reads = (method === 'post' || method === 'put') && family !== 'track';
  return reads ? { ...BODY_READER, ...INTERNAL, 503: STORE_DOWN } : { ...INTERNAL, 503: STORE_DOWN };
}

/** An operation's own 503 (rules not ready…) keeps its schema and also names the store's. */
function withStoreDown(responses: OperationObject['responses']): OperationObject['responses'] {
  const own = responses[503];
  if (!own || own.description.includes('STORE_UNAVAILABLE')) return responses;
  return { ...responses, 503: { ...own, description: `${own.description} Or ${STORE_DOWN}` } };
}

/**
 * Every operation gets the answers the shared edge gives on its path, in its family's
 * envelope (src/http/error-middleware.ts, body-reader.ts): added here once rather than
 * in every part; an operation's own description of a status wins.
 */
function withEdgeErrors(item: PathItem): PathItem {
  const family = item['x-offerd-family'] as ApiFamily;
  if (!(family in ERROR_SCHEMA)) throw new Error(`OpenAPI: unknown x-offerd-family '${family}'`);
  const out: PathItem = { ...item };
  for (const method of METHODS) {
    const op = item[method];
    if (op)
      out[method] = {
        ...op,
        responses: {
          ...errorResponses(family, edgeResponses(method, family)),
          ...(family === 'neutral' ? op.responses : withStoreDown(op.responses)),
        },
      };
  }
  return out;
}

/** The document from every API's part, in the order given (the rendered page keeps it). */
export function buildOpenApiDocument(
  info: OpenApiDocument['info'],
  parts: readonly OpenApiPart[],
): OpenApiDocument {
  const paths: Record<string, PathItem> = {};
  const schemas: Record<string, JsonSchema> = { ...ERROR_ENVELOPES };
  const securitySchemes: Record<string, SecurityScheme> = {};
  for (const part of parts) {
    mergeInto(paths, part.paths, 'path');
    mergeInto(schemas, part.schemas, 'schema');
    mergeInto(securitySchemes, part.securitySchemes, 'security scheme');
  }
  for (const [p, item] of Object.entries(paths)) paths[p] = withEdgeErrors(item);
  return {
    openapi: '3.1.0',
    info,
    tags: parts.flatMap((p) => p.tags),
    paths,
    components: { schemas, securitySchemes },
  };
}
