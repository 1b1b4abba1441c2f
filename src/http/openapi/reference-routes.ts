import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ApiRouter } from '../api-router.js';
import { AppError } from '../app-error.js';
import { errorResponses, jsonResponse } from './openapi-builders.js';
import type { OpenApiDocument } from './openapi-document.js';
import type { OpenApiPart } from './openapi-types.js';

/** The renderer's files /docs needs, served from the installed package: the page works offline. */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

function assetDir(): string {
  return path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

/** The page's one inline script: swagger-ui reading /openapi.json; `validatorUrl: null` keeps it from calling out. */
const START = `
window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true, validatorUrl: null });
`;

/**
 * The page runs only its own files and the script above (by its hash), talks only to this
 * origin and cannot be framed: it shares the origin of the console and the admin API, so a
 * page that framed it, or a script it loaded from elsewhere, would act as that origin.
 * swagger-ui sets inline styles and data: images of its own.
 */
const PAGE_POLICY = [
  "default-src 'none'",
  `script-src 'self' 'sha256-${createHash('sha256').update(START).digest('base64')}'`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>offerd API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>${START}</script>
</body>
</html>
`;

/**
 * GET /openapi.json (the document, with this service's address as its server) and
 * GET /docs (the document rendered). Open like /healthz: the reference is public.
 */
export function referenceRoutes(document: OpenApiDocument, baseUrl: () => string): ApiRouter {
  const router = new ApiRouter({ family: 'neutral', before: [] });
  const dir = assetDir();
  // Serialized once per address: 228 KB of JSON cost ~3.6 ms of CPU on every request, which
  // anyone may send (hostile probe).
  let served: { url: string; json: Buffer } | null = null;
  router.get('/openapi.json', (ctx) => {
    const url = baseUrl();
    if (served?.url !== url)
      served = { url, json: Buffer.from(JSON.stringify({ ...document, servers: [{ url }] })) };
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = served.json;
  });
  router.get('/docs', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Content-Security-Policy', PAGE_POLICY);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.body = PAGE;
  });
  router.get('/docs/:file', (ctx) => {
    const file = ctx.params.file ?? '';
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type) throw new AppError('NOT_FOUND', 'Not found');
    ctx.type = type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = createReadStream(path.join(dir, file));
  });
  return router;
}

export const REFERENCE_OPENAPI: OpenApiPart = {
  tags: [{ name: 'Reference', description: 'This document, and the page that renders it.' }],
  paths: {
    '/openapi.json': {
      'x-offerd-family': 'neutral',
      get: {
        operationId: 'getOpenApi',
        summary: 'This OpenAPI 3.1 document',
        tags: ['Reference'],
        security: [],
        responses: {
          200: jsonResponse('The document; `servers` names this service’s address.', { type: 'object' }),
        },
      },
    },
    '/docs': {
      'x-offerd-family': 'neutral',
      get: {
        operationId: 'getDocs',
        summary: 'The document rendered (swagger-ui, served from the package: works offline)',
        tags: ['Reference'],
        security: [],
        responses: {
          200: { description: 'An HTML page.', content: { 'text/html': { schema: { type: 'string' } } } },
        },
      },
    },
    '/docs/{file}': {
      'x-offerd-family': 'neutral',
      get: {
        operationId: 'getDocsAsset',
        summary: 'A file of the renderer the page loads',
        tags: ['Reference'],
        security: [],
        parameters: [
          {
            name: 'file',
            in: 'path',
            required: true,
            description: 'The file.',
            schema: { enum: Object.keys(ASSETS) },
          },
        ],
        responses: {
          200: {
            description: 'The file, from the installed swagger-ui-dist package.',
            content: {
              'text/css': { schema: { type: 'string' } },
              'text/javascript': { schema: { type: 'string' } },
            },
          },
          ...errorResponses('neutral', { 404: 'No such file.' }),
        },
      },
    },
  },
};
