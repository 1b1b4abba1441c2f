import { errorResponses } from '../http/openapi/openapi-builders.js';
import type { OpenApiPart } from '../http/openapi/openapi-types.js';

const PAGE_TEXT = { schema: { type: 'string' } };

/**
 * GET /console and its files (console-routes.ts): public like /docs, they hold no data.
 * `{file}` may contain `/` (the router's `*file`), e.g. `vendor/lit.js`.
 */
export const CONSOLE_OPENAPI: OpenApiPart = {
  tags: [
    {
      name: 'Console',
      description:
        'The account managers’ web page; every number on it comes from the admin API, called with the admin token the login form keeps in the tab [ours].',
    },
  ],
  paths: {
    '/console': {
      'x-offerd-family': 'neutral',
      get: {
        operationId: 'getConsole',
        summary: 'The console page',
        description: 'Served with a Content-Security-Policy that allows only this origin’s files.',
        tags: ['Console'],
        security: [],
        responses: { 200: { description: 'An HTML page.', content: { 'text/html': PAGE_TEXT } } },
      },
    },
    '/console/{file}': {
      'x-offerd-family': 'neutral',
      get: {
        operationId: 'getConsoleFile',
        summary: 'A file of the console: a page module, its stylesheet or a vendored library',
        tags: ['Console'],
        security: [],
        parameters: [
          {
            name: 'file',
            in: 'path',
            required: true,
            description: 'The file’s path under the console, slashes included; empty is the page.',
            schema: { type: 'string' },
            'x-offerd-rest-of-path': true,
          },
        ],
        responses: {
          200: {
            description: 'The file, typed by its extension.',
            content: {
              'text/html': PAGE_TEXT,
              'text/javascript': PAGE_TEXT,
              'text/css': PAGE_TEXT,
              'image/svg+xml': PAGE_TEXT,
            },
          },
          ...errorResponses('neutral', { 404: 'No such file.' }),
        },
      },
    },
  },
};
