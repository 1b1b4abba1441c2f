import { ADMIN_OPENAPI } from './admin/admin-openapi.js';
import { BANNER_OPENAPI } from './banner/banner-openapi.js';
import { SDK_OPENAPI } from './banner/sdk/sdk-openapi.js';
import { CONSOLE_OPENAPI } from './console/console-openapi.js';
import { buildOpenApiDocument, type OpenApiDocument } from './http/openapi/openapi-document.js';
import { REFERENCE_OPENAPI } from './http/openapi/reference-routes.js';
import { JOURNEYS_OPENAPI } from './journeys/journeys-openapi.js';
import { OFFERWALL_OPENAPI } from './offerwall/offerwall-openapi.js';

/**
 * offerd's API reference: every API's part, in the order the page shows them. Each part
 * lives beside its routes; a new route adds its entry to its API's part.
 */
export function apiReference(version: string): OpenApiDocument {
  return buildOpenApiDocument(
    {
      title: 'offerd',
      version,
      description:
        'Rules-driven offer personalization behind three vendor-compatible APIs — Kibotu personal banners, RevU offerwall, GamifyHost user journeys — and offerd’s admin API. Each answers in its vendor’s envelope, errors included. `[ours]` marks where offerd decided what the vendor leaves open.',
    },
    [
      BANNER_OPENAPI,
      SDK_OPENAPI,
      OFFERWALL_OPENAPI,
      JOURNEYS_OPENAPI,
      ADMIN_OPENAPI,
      CONSOLE_OPENAPI,
      REFERENCE_OPENAPI,
    ],
  );
}
