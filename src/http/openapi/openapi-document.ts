import type { ApiFamily } from '../api-family.js';
import { ERROR_ENVELOPES } from './error-envelopes.js';
import { ERROR_SCHEMA, errorResponses } from './openapi-builders.js';
import type { HttpMethod, JsonSchema, OpenApiPart, PathItem, SecurityScheme } from './openapi-types.js';

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

/**
 * Any route may fail unexpectedly: a 500 in its family's envelope that leaks nothing
 * (src/http/error-middleware.ts). Added here once rather than in every part.
 */
function withInternalError(item: PathItem): PathItem {
  const family = item['x-offerd-family'] as ApiFamily;
  if (!(family in ERROR_SCHEMA)) throw new Error(`OpenAPI: unknown x-offerd-family '${family}'`);
  const out: PathItem = { ...item };
  for (const method of METHODS) {
    const op = item[method];
    if (op && !op.responses['500']) {
      const internal = errorResponses(family, {
        500: 'Unexpected: logged with this request’s id; nothing leaks.',
      });
      out[method] = { ...op, responses: { ...op.responses, ...internal } };
    }
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
  for (const [p, item] of Object.entries(paths)) paths[p] = withInternalError(item);
  return {
    openapi: '3.1.0',
    info,
    tags: parts.flatMap((p) => p.tags),
    paths,
    components: { schemas, securitySchemes },
  };
}
