import { Validator } from '@seriousme/openapi-schema-validator';
import test from 'ava';
import { explainBodySchema, reloadQuerySchema, rollbackBodySchema } from '../../src/admin/admin-schemas.js';
import { personalizedBannerSchema } from '../../src/banner/banner-schemas.js';
import {
  featureBodySchema,
  groupUpdatesSchema,
  profileUpdatesSchema,
} from '../../src/banner/sdk/sdk-schemas.js';
import { importBatchSchema, trackBatchSchema } from '../../src/banner/sdk/track-schemas.js';
import type { HttpMethod, OperationObject } from '../../src/http/openapi/openapi-types.js';
import { RequestSchemas } from '../../src/http/request-schema.js';
import { eventSchema, userPatchSchema } from '../../src/journeys/journeys-schemas.js';
import { personalizedQuerySchema, postbackSchema } from '../../src/offerwall/offerwall-schemas.js';
import { API_REFERENCE, checkedFetch, ResponseChecker } from '../helpers/openapi-check.js';
import { startTestService } from '../helpers/start-test-service.js';

const METHODS: HttpMethod[] = ['get', 'post', 'put', 'delete'];

/** `METHOD /path/{param}` of every operation the document describes. */
function documented(): string[] {
  return Object.entries(API_REFERENCE.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`),
  );
}

const operation = (path: string, method: HttpMethod): OperationObject => {
  const op = API_REFERENCE.paths[path]?.[method];
  if (!op) throw new Error(`no ${method} ${path} in the document`);
  return op;
};

test('the document is valid OpenAPI 3.1 (checked by an OpenAPI validator)', async (t) => {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(API_REFERENCE) as never);
  t.deepEqual(result.errors, undefined);
  t.true(result.valid);
  t.is(validator.version, '3.1');
});

test('every route the service answers is in the document, and the document has no other', async (t) => {
  const s = await startTestService(t);
  // @koa/router writes `:name` (and `*name` for a rest of the path), OpenAPI `{name}`.
  const served = s.routes.map((r) => `${r.method} ${r.path.replace(/[:*](\w+)/g, '{$1}')}`);
  t.deepEqual([...served].sort(), documented().sort());
});

test('GET /openapi.json serves the document with this service as its server', async (t) => {
  const s = await startTestService(t);
  const res = await checkedFetch(`${s.url}/openapi.json`);
  t.is(res.status, 200);
  const { servers, ...rest } = (await res.json()) as { servers: { url: string }[] };
  t.deepEqual(servers, [{ url: `http://127.0.0.1:${s.port}` }]);
  t.deepEqual(rest, JSON.parse(JSON.stringify(API_REFERENCE)));
});

test('GET /docs is a page whose every script and stylesheet is served by offerd itself (no CDN)', async (t) => {
  const s = await startTestService(t);
  const page = await checkedFetch(`${s.url}/docs`);
  t.is(page.status, 200);
  t.regex(page.headers.get('content-type') ?? '', /^text\/html/);
  const html = await page.text();
  const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
  t.deepEqual(assets.sort(), ['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css']);
  t.regex(html, /url: '\/openapi\.json'/);
  for (const asset of assets) {
    const res = await checkedFetch(`${s.url}${asset}`);
    t.is(res.status, 200, asset);
    t.true((await res.arrayBuffer()).byteLength > 100_000, `${asset} is the renderer's file`);
  }
  t.is((await checkedFetch(`${s.url}/docs/package.json`)).status, 404);
  t.is((await checkedFetch(`${s.url}/docs/..%2Fpackage.json`)).status, 404);
});

test('the request schemas in the document are the very objects the routes validate with', (t) => {
  const body = (path: string) => operation(path, 'post').requestBody?.content['application/json']?.schema;
  t.is(body('/getPersonalizedBanner'), personalizedBannerSchema);
  t.is(body('/ab/getPersonalizedBanner'), personalizedBannerSchema);
  t.is(body('/track'), trackBatchSchema);
  t.is(body('/ab/track'), trackBatchSchema);
  t.is(body('/import'), importBatchSchema);
  t.is(body('/engage'), profileUpdatesSchema);
  t.is(body('/groups'), groupUpdatesSchema);
  t.is(body('/feature'), featureBodySchema);
  t.is(body('/admin/rules/{appId}/rollback'), rollbackBodySchema);
  t.is(body('/admin/apps/{appId}/explain'), explainBodySchema);
  const reload = operation('/admin/rules/reload', 'post').parameters ?? [];
  t.is(reload.find((p) => p.name === 'app')?.schema, reloadQuerySchema.properties.app);
  t.is(body('/v1/user-journeys/users'), userPatchSchema);
  t.is(body('/v1/user-journeys/events'), eventSchema);
  t.is(body('/api/v1/postback'), postbackSchema);
  const params = operation('/api/v1/users/{uid}/personalized', 'get').parameters ?? [];
  for (const [name, schema] of Object.entries(personalizedQuerySchema.properties)) {
    t.is(params.find((p) => p.name === name)?.schema, schema, name);
  }
  t.deepEqual(
    params.filter((p) => p.required).map((p) => p.name),
    ['uid', ...personalizedQuerySchema.required],
  );
});

test('the published /track and /import bodies are what the SDKs send, before the server reads them', (t) => {
  const bodyOf = (path: string) =>
    new RequestSchemas().compile(
      operation(path, 'post').requestBody?.content['application/json']?.schema ?? {},
    );
  const track = bodyOf('/track');
  const node = { token: 'demo-key', mp_lib: 'node', $lib_version: '0.9.6' };
  const unity = {
    event: 'MatchFinished',
    // After Kibotu.Reset() the distinct id is "" (Controller.cs DoTrack sends it anyway).
    properties: { _kb_lib: 'unity', _kb_screen_dpi: 440.5, distinct_id: '', time: 1_732_350_000_123 },
    distinct_id: '',
    _kb_metadata: { _kb_event_id: '1a2b', _kb_session_id: '3f', _kb_session_seq_id: 4 },
    id: 'Kibotu.Event0',
  };
  const admitted = [
    // lib/kibotu-node.js track('played_game'): no distinct_id at all.
    [{ event: 'played_game', properties: node }],
    [unity, { ...unity, event: '_kb_create_alias', properties: { ...unity.properties, alias: 'a-1' } }],
    { event: 'Purchase', properties: { ...node, distinct_id: 7, kibotuMetadata: { variationId: -1 } } },
  ];
  for (const body of admitted) t.deepEqual(track.problems(body), [], JSON.stringify(body));
  const refused = [
    [],
    Array.from({ length: 51 }, () => admitted[2]),
    'played_game',
    [{ event: '$create_alias', properties: node }],
  ];
  for (const body of refused) t.not(track.problems(body).length, 0, JSON.stringify(body).slice(0, 60));
  const imported = bodyOf('/import');
  t.not(imported.problems([{ event: 'Old', properties: node }]).length, 0, '/import needs each event’s time');
  t.deepEqual(imported.problems([{ event: 'Old', properties: { ...node, time: 1_600_000_000 } }]), []);
});

test('every operation documents its auth: a scheme the document defines, or none', (t) => {
  const schemes = Object.keys(API_REFERENCE.components.securitySchemes).sort();
  t.deepEqual(schemes, ['adminToken', 'bannerKey', 'journeysKey']);
  for (const path of Object.keys(API_REFERENCE.paths)) {
    for (const m of METHODS) {
      const op = API_REFERENCE.paths[path]?.[m];
      if (!op) continue;
      const used = op.security.flatMap((s) => Object.keys(s));
      // /metrics: open, or behind OFFERD_METRICS_TOKEN, which the admin token also passes.
      const expected =
        path.startsWith('/admin') || path === '/metrics'
          ? ['adminToken']
          : path.startsWith('/v1/')
            ? ['journeysKey']
            : [];
      const sdkCall = /^\/(import|engage|groups|feature)$/.test(path);
      if (sdkCall || (/Banner$|\/track$/.test(path) && !path.startsWith('/v1/'))) expected.push('bannerKey');
      t.deepEqual(used, expected, `${m} ${path}`);
    }
  }
});

test('the checker refuses what the document does not say', (t) => {
  const checker = new ResponseChecker(API_REFERENCE);
  const url = (p: string) => new URL(`http://127.0.0.1${p}`);
  const json = 'application/json';
  const good = JSON.stringify({ status: 'ok' });
  t.deepEqual(checker.check('GET', url('/healthz'), 200, json, good), []);
  // a body missing a field, a field of the wrong type, an undocumented status and media type
  t.not(checker.check('GET', url('/healthz'), 200, json, '{}').length, 0);
  t.not(checker.check('GET', url('/healthz'), 200, json, JSON.stringify({ status: 1 })).length, 0);
  t.not(checker.check('GET', url('/healthz'), 201, json, good).length, 0);
  t.not(checker.check('GET', url('/healthz'), 200, 'text/plain', good).length, 0);
  // a path or a method the document lacks, answered with anything but an error envelope
  t.not(checker.check('GET', url('/nowhere'), 200, json, good).length, 0);
  t.not(checker.check('GET', url('/nowhere'), 404, json, good).length, 0);
  t.not(checker.check('PUT', url('/healthz'), 200, json, good).length, 0);
  const notFound = JSON.stringify({
    error: { code: 'NOT_FOUND', message: 'Not found', fields: [] },
    requestId: 1,
  });
  t.deepEqual(checker.check('GET', url('/nowhere'), 404, json, notFound), []);
  // an error in another family's envelope than its route's
  const journeys404 = JSON.stringify({ message: 'User not found', code: 404, status: 'error' });
  t.deepEqual(checker.check('GET', url('/v1/user-journeys/users/x'), 404, json, journeys404), []);
  t.not(checker.check('GET', url('/admin/rules'), 401, json, journeys404).length, 0);
});
