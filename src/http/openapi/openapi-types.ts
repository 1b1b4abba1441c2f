/**
 * The slice of OpenAPI 3.1 offerd's document uses. Schemas are JSON Schema 2020-12 (the
 * 3.1 dialect), so the request schemas ajv validates with can be placed in it unchanged.
 */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface MediaType {
  schema: JsonSchema;
  example?: unknown;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: Record<string, MediaType>;
}

export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header';
  description: string;
  required?: boolean;
  schema: JsonSchema;
  example?: unknown;
  /** A path parameter that takes the rest of the path, slashes included (the router's `*name`). */
  'x-offerd-rest-of-path'?: boolean;
}

export interface OperationObject {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** `[]` for an open endpoint; else the schemes of components.securitySchemes, any one of which is enough. */
  security: Record<string, string[]>[];
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; description?: string; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject>;
}

export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

/**
 * One path of the document. `x-offerd-family` names the envelope every response of the
 * path is rendered in (src/http/api-family.ts), the 405 for a method it lacks included.
 */
export type PathItem = Partial<Record<HttpMethod, OperationObject>> & { 'x-offerd-family': string };

export interface SecurityScheme {
  type: 'apiKey' | 'http';
  description: string;
  name?: string;
  in?: 'header' | 'query';
  scheme?: string;
}

/** What one API contributes to the document: kept beside its routes, so a new route's entry is a local edit. */
export interface OpenApiPart {
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  schemas?: Record<string, JsonSchema>;
  securitySchemes?: Record<string, SecurityScheme>;
}
