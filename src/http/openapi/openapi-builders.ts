import type { ApiFamily } from '../api-family.js';
import type { JsonSchema, MediaType, ParameterObject, ResponseObject } from './openapi-types.js';

/** A reference to a schema under components.schemas. */
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

export const json = (schema: JsonSchema, example?: unknown): Record<string, MediaType> => ({
  'application/json': example === undefined ? { schema } : { schema, example },
});

/** Every response that reads rules carries the version that decided it. */
const RULES_VERSION = {
  'X-Rules-Version': {
    description: 'The rules snapshot that decided this response: `<version>; hash=<hash>`.',
    schema: { type: 'string' },
  },
};

/** A JSON response. `rulesVersion`: it carries X-Rules-Version. */
export function jsonResponse(
  description: string,
  schema: JsonSchema,
  options: { example?: unknown; rulesVersion?: boolean } = {},
): ResponseObject {
  return {
    description,
    ...(options.rulesVersion ? { headers: RULES_VERSION } : {}),
    content: json(schema, options.example),
  };
}

/** The schema name of each family's error envelope (error-envelopes.ts). */
export const ERROR_SCHEMA: Record<ApiFamily, string> = {
  banner: 'BannerError',
  track: 'TrackError',
  offerwall: 'OfferwallError',
  journeys: 'JourneysError',
  admin: 'AdminError',
  neutral: 'AdminError',
};

/** Error responses of one family, by status, each with its own description of when. */
export function errorResponses(
  family: ApiFamily,
  byStatus: Record<number, string>,
): Record<string, ResponseObject> {
  const out: Record<string, ResponseObject> = {};
  for (const [status, description] of Object.entries(byStatus)) {
    out[status] = { description, content: json(ref(ERROR_SCHEMA[family])) };
  }
  return out;
}

/** What the body reader answers for any route with a body, before the route runs. */
export const BODY_ERRORS: Record<number, string> = {
  413: 'The body is larger than `http.bodyLimit` (1 MB by default).',
  415: 'The body is not JSON (`Content-Type` other than `application/json`), or its encoding or charset is not supported.',
};

export const pathParam = (name: string, description: string, schema: JsonSchema = { type: 'string' }) =>
  ({ name, in: 'path', required: true, description, schema }) satisfies ParameterObject;

export const queryParam = (
  name: string,
  description: string,
  schema: JsonSchema,
  required = false,
): ParameterObject => ({ name, in: 'query', description, schema, ...(required ? { required } : {}) });

export const nullable = (type: string): JsonSchema => ({ type: [type, 'null'] });
export const dateTime: JsonSchema = { type: 'string', format: 'date-time' };

interface ObjectSchema {
  readonly required?: readonly string[];
  readonly properties: Readonly<Record<string, JsonSchema>>;
}

/**
 * The parameters of an object schema a route validates its query (or path) with: one per
 * property, its schema the property's own, so the reference and the validator cannot differ.
 */
export function paramsOf(where: 'query' | 'path', schema: ObjectSchema): ParameterObject[] {
  return Object.entries(schema.properties).map(([name, property]) => {
    const { title, description } = property as { title?: string; description?: string };
    const required = where === 'path' || (schema.required ?? []).includes(name);
    return {
      name,
      in: where,
      description: description ?? title ?? name,
      schema: property,
      ...(required ? { required } : {}),
    };
  });
}
