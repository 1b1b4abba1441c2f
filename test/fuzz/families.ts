import fc from 'fast-check';
import { signPostback } from '../../src/offerwall/domain/signatures.js';
import {
  bodyText,
  type Encoded,
  encodeBody,
  encodeComponent,
  type HeaderAbuse,
  headerAbuse,
  mutatedObject,
  nastyString,
  oddMethod,
  pathVariant,
  queryOf,
  queryValue,
  RawJson,
  uid,
  wrongValue,
} from './arbitraries.js';
import type { Family, FuzzRequest, RequestNote } from './harness.js';

/** What the generators need to know about the seeded world. */
export interface World {
  /** Query string (without `?`) of a real signed click link of the seeded offerwall user. */
  clickQuery: string;
  offerwallUid: string;
  offerwallOfferId: number;
  journeysUser: string;
  claimedOfferId: string;
}

interface Parts {
  family: Family;
  method: string;
  path: { path: string; canonical: boolean; tag: string };
  query?: string;
  auth: [string, string][];
  encoded?: Encoded;
  abuse: HeaderAbuse;
  note?: Partial<RequestNote>;
  tags?: string[];
}

function assemble(p: Parts): FuzzRequest {
  const headers: [string, string][] = [...p.auth, ...(p.encoded?.headers ?? []), ...p.abuse.headers];
  const tags = [...(p.tags ?? []), ...(p.encoded?.tags ?? [])];
  if (p.path.tag !== 'exact') tags.push(`path:${p.path.tag}`);
  if (p.abuse.tag) tags.push(p.abuse.tag);
  return {
    family: p.family,
    method: p.method,
    path: `${p.path.path}${p.query ?? ''}`,
    headers,
    body: p.encoded?.body,
    note: {
      canonicalPath: p.path.canonical,
      protocolError: p.abuse.protocolError,
      ...p.note,
      tags,
    },
  };
}

/** Mostly the route's method, sometimes another. */
const methodFor = (method: string) =>
  fc.oneof({ weight: 8, arbitrary: fc.constant(method) }, { weight: 1, arbitrary: oddMethod });

/** Mostly the exact path, sometimes a spelling of it. */
const pathFor = (path: string) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant({ path, canonical: true, tag: 'exact' }) },
    { weight: 1, arbitrary: pathVariant(path) },
  );

/** Authorization variants; `valid` tells which of them carry the one right credential. */
function authFrom(
  name: string,
  good: readonly string[],
  bad: readonly string[],
): fc.Arbitrary<{ headers: [string, string][]; valid: boolean | undefined; tag: string }> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .constantFrom(...good)
        .map((v) => ({ headers: [[name, v]] as [string, string][], valid: true, tag: 'auth:good' })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({ headers: [] as [string, string][], valid: false, tag: 'auth:none' }),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...bad)
        .map((v) => ({ headers: [[name, v]] as [string, string][], valid: false, tag: 'auth:bad' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...good), fc.constantFrom(...bad), fc.boolean())
        .map(([g, b, goodFirst]) => ({
          headers: (goodFirst
            ? [
                [name, g],
                [name, b],
              ]
            : [
                [name, b],
                [name, g],
              ]) as [string, string][],
          valid: false,
          tag: `auth:duplicate-${goodFirst ? 'good-first' : 'bad-first'}`,
        })),
    },
    {
      weight: 1,
      arbitrary: nastyString
        .filter((s) => /^[\t\x20-\x7e\x80-\xff]*$/.test(s))
        .map((v) => ({ headers: [[name, v]] as [string, string][], valid: false, tag: 'auth:nasty' })),
    },
  );
}

// ---------------------------------------------------------------- banner and /track

const BANNER_TEMPLATE = {
  userId: 'player-1',
  offerId: '8622',
  countryIso2: 'DE',
  prizeKey: 'gems_500',
  prizeTypes: ['champion'],
  languageIso2: 'de',
  zipCode: '10115',
  postalCode: '10115',
  occasion: 'level_up',
  level: 31,
  activeChamp: 'ahri',
  hero: { name: 'x', items: [1, 2] },
};

const bannerUser = fc.constantFrom('player-1', 'player-2', 'player-3', 'fz-banner-1');

const bannerBody = fc.oneof(
  { weight: 4, arbitrary: mutatedObject(BANNER_TEMPLATE) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        userId: bannerUser,
        offerId: fc.oneof(fc.constant('8622'), fc.constant(new RawJson('8622'))),
      })
      .map((o) => o),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ key: fc.constantFrom('hero', 'prizeTypes', 'level'), value: wrongValue })
      .map(({ key, value }) => ({ ...BANNER_TEMPLATE, [key]: { nested: [value, { deeper: value }] } })),
  },
);

const BANNER_AUTH = authFrom(
  'Authorization',
  ['demo-key', 'Bearer demo-key', 'bearer demo-key'],
  [
    'wrong',
    'Bearer ',
    'Bearer wrong',
    'pk_test_demo',
    'Basic ZGVtby1rZXk6',
    'demo-key ',
    ' Bearer  demo-key x',
  ],
);

export function bannerRequests(): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: methodFor('POST'),
      path: fc.constantFrom('/getPersonalizedBanner', '/ab/getPersonalizedBanner').chain(pathFor),
      auth: BANNER_AUTH,
      encoded: encodeBody(bodyText(bannerBody)),
      abuse: headerAbuse,
    })
    .map((p) => assemble({ family: 'banner', ...p, auth: p.auth.headers, tags: [p.auth.tag] }));
}

const TRACK_EVENT = {
  event: 'SpecialOfferPopupPurchased',
  properties: {
    distinct_id: 'player-1',
    time: 1_732_350_000,
    token: 'demo-key',
    kibotuMetadata: { experimentId: 'champion-spotlight', variationId: 1, renderId: 'r-1' },
  },
};

const trackEvent = fc.oneof(
  { weight: 2, arbitrary: fc.constant<unknown>(TRACK_EVENT) },
  { weight: 3, arbitrary: mutatedObject(TRACK_EVENT) },
  {
    weight: 3,
    arbitrary: mutatedObject(TRACK_EVENT.properties).map((props) => ({
      event: 'AppStart',
      properties: props,
    })),
  },
  {
    weight: 1,
    arbitrary: mutatedObject(TRACK_EVENT.properties.kibotuMetadata).map((m) => ({
      event: 'AppStart',
      properties: { ...TRACK_EVENT.properties, kibotuMetadata: m },
    })),
  },
);

const trackBody = fc.oneof(
  { weight: 5, arbitrary: fc.array(trackEvent, { minLength: 0, maxLength: 4 }) },
  { weight: 1, arbitrary: trackEvent },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 49, max: 60 }).map((n) => Array.from({ length: n }, () => TRACK_EVENT)),
  },
);

/** How /track's reply format is asked for, and what the checker may then expect. */
const trackQuery = fc
  .record({
    ip: fc.constantFrom<string | null>('0', '1', null, 'x'),
    verbose: fc.constantFrom<string[]>([], ['1'], ['1'], ['0'], ['1', '1'], ['1', '0'], ['true'], ['']),
    test: fc.boolean(),
    extra: fc.option(fc.tuple(nastyString, queryValue)),
  })
  .map(({ ip, verbose, test, extra }) => {
    const pairs: [string, string][] = [];
    if (ip !== null) pairs.push(['ip', ip]);
    for (const v of verbose) pairs.push(['verbose', v]);
    if (test) pairs.push(['test', '1']);
    if (extra) pairs.push(extra);
    const mode: 'yes' | 'no' | 'either' =
      verbose.length > 1 ? 'either' : verbose.length === 1 && verbose[0] === '1' ? 'yes' : 'no';
    return { pairs, mode };
  });

export function trackRequests(): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: methodFor('POST'),
      path: fc.constantFrom('/track', '/ab/track').chain(pathFor),
      query: trackQuery,
      auth: BANNER_AUTH,
      encoded: encodeBody(bodyText(trackBody)),
      abuse: headerAbuse,
    })
    .chain((p) =>
      queryOf(fc.constant(p.query.pairs)).map((query) =>
        assemble({
          family: 'track',
          ...p,
          query,
          auth: p.auth.headers,
          note: { verbose: p.query.mode },
          tags: [p.auth.tag],
        }),
      ),
    );
}

// ---------------------------------------------------------------- offerwall

/** A query built from `template`: one value replaced, dropped, repeated, or a parameter added. */
function mutatedQuery(template: [string, string][]): fc.Arbitrary<[string, string][]> {
  const names = template.map(([k]) => k);
  return fc
    .record({
      op: fc.constantFrom('replace', 'replace', 'drop', 'repeat', 'repeat-same', 'add', 'keep'),
      name: fc.constantFrom(...names),
      value: queryValue,
      extra: fc.tuple(
        fc.oneof(nastyString, fc.constantFrom('__proto__', 'constructor', 'wall[]', 'toString')),
        queryValue,
      ),
    })
    .map(({ op, name, value, extra }) => {
      const pairs = template.map(([k, v]) => [k, v] as [string, string]);
      const at = pairs.findIndex(([k]) => k === name);
      if (op === 'replace') pairs[at] = [name, value];
      else if (op === 'drop') pairs.splice(at, 1);
      else if (op === 'repeat') pairs.push([name, value]);
      else if (op === 'repeat-same') pairs.push([name, (pairs[at] as [string, string])[1]]);
      else if (op === 'add') pairs.push(extra);
      return pairs;
    });
}

const PERSONALIZED_QUERY: [string, string][] = [
  ['wall', '1001'],
  ['numoffers', '5'],
  ['ip', '8.8.8.8'],
  ['device', 'android'],
  ['os_version', '14'],
  ['bid_floor', '0.5'],
  ['include_sortmetric', 'true'],
  ['sid3', 's-1'],
  ['experiment_id', 'exp-1'],
];

/** A uid as it appears in the path: encoded like a client would, or with raw `%` tricks. */
const uidSegment = fc.oneof(
  { weight: 4, arbitrary: uid.map(encodeComponent) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '%2F',
      '%00',
      '%zz',
      '..',
      '.',
      '%2e%2e',
      'a%2Fb',
      '%C0%AF',
      '%E2%82',
      'x'.repeat(5000),
    ),
  },
);

function personalizedRequests(): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: methodFor('GET'),
      uid: uidSegment,
      variant: fc.boolean(),
      query: queryOf(mutatedQuery(PERSONALIZED_QUERY)),
      abuse: headerAbuse,
      ua: fc.option(
        fc.constantFrom(
          'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X)',
          'Android 14',
          '\u00ff'.repeat(50),
        ),
      ),
    })
    .chain((p) =>
      (p.variant
        ? pathVariant(`/api/v1/users/${p.uid}/personalized`)
        : fc.constant({ path: `/api/v1/users/${p.uid}/personalized`, canonical: true, tag: 'exact' })
      ).map((path) =>
        assemble({
          family: 'offerwall',
          method: p.method,
          path,
          query: p.query,
          auth: p.ua ? [['User-Agent', p.ua]] : [],
          abuse: p.abuse,
          tags: ['personalized'],
        }),
      ),
    );
}

function clickRequests(world: World): fc.Arbitrary<FuzzRequest> {
  const template = [...new URLSearchParams(world.clickQuery)] as [string, string][];
  return fc
    .record({
      method: methodFor('GET'),
      path: pathFor('/api/v1/click'),
      query: queryOf(mutatedQuery(template)),
      abuse: headerAbuse,
    })
    .map((p) => assemble({ family: 'offerwall', ...p, auth: [], tags: ['click'] }));
}

function postbackTemplate(world: World, transactionId: string): [string, string][] {
  const report = {
    wallId: 1001,
    uid: world.offerwallUid,
    offerId: world.offerwallOfferId,
    eventId: 'base',
    transactionId,
  };
  return [
    ['wall', '1001'],
    ['uid', report.uid],
    ['offer', String(report.offerId)],
    ['event', 'base'],
    ['transaction_id', transactionId],
    ['sig', signPostback('demo-postback-secret-change-me', report)],
  ];
}

function postbackRequests(world: World): fc.Arbitrary<FuzzRequest> {
  // The seeded transaction (a replay: duplicate, changes nothing) and fresh ones (a real postback).
  const template = fc
    .constantFrom('tx-seed-1', 'tx-fuzz-1', 'tx-fuzz-2')
    .map((tx) => postbackTemplate(world, tx));
  return fc.oneof(
    template.chain((t) =>
      fc
        .record({
          method: methodFor('GET'),
          path: pathFor('/api/v1/postback'),
          query: queryOf(mutatedQuery(t)),
          abuse: headerAbuse,
        })
        .map((p) => assemble({ family: 'offerwall', ...p, auth: [], tags: ['postback-query'] })),
    ),
    template.chain((t) =>
      fc
        .record({
          method: methodFor('POST'),
          path: pathFor('/api/v1/postback'),
          encoded: encodeBody(bodyText(mutatedObject(Object.fromEntries(t)))),
          abuse: headerAbuse,
        })
        .map((p) => assemble({ family: 'offerwall', ...p, auth: [], tags: ['postback-body'] })),
    ),
  );
}

export function offerwallRequests(world: World): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    { weight: 3, arbitrary: personalizedRequests() },
    { weight: 1, arbitrary: clickRequests(world) },
    { weight: 2, arbitrary: postbackRequests(world) },
  );
}

// ---------------------------------------------------------------- journeys

const JOURNEYS_AUTH = authFrom(
  'X-API-Key',
  ['pk_test_demo', 'pk_live_demo'],
  ['pk_test_wrong', 'demo-key', '', ' pk_test_demo', 'PK_TEST_DEMO', 'Bearer pk_test_demo'],
);

const JOURNEYS_USER = {
  externalId: 'journeyer-1',
  displayName: 'Ada',
  email: 'ada@example.com',
  phone: '+49 30 1234',
  country: 'DE',
  device: 'mobile',
  source: 'ads',
  tags: { vip: true, level: 3 },
  metadata: { k: 'v' },
};

const JOURNEYS_EVENT = {
  externalId: 'journeyer-1',
  eventType: 'spin',
  category: 'GAME_PLAY',
  points: 10,
  occurredAt: '2026-11-20T12:00:00Z',
  metadata: { won: true, campaignId: 'autumn' },
  clientEventId: 'fz-1',
};

const journeysEvent = fc.oneof(
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('fz-1', 'fz-2', 'fz-3')
      .map((id) => ({ ...JOURNEYS_EVENT, clientEventId: id })),
  },
  { weight: 4, arbitrary: mutatedObject(JOURNEYS_EVENT) },
);

const journeysUserId = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('journeyer-1', 'nobody', 'user_12345') },
  { weight: 2, arbitrary: uidSegment },
);

export function journeysRequests(world: World): fc.Arbitrary<FuzzRequest> {
  const base = '/v1/user-journeys';
  const route = fc.oneof(
    {
      weight: 2,
      arbitrary: fc.record({
        method: fc.constant('POST'),
        path: fc.constant(`${base}/users`),
        body: fc.option(mutatedObject(JOURNEYS_USER), { freq: 8, nil: undefined }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        method: fc.constant('POST'),
        path: fc.constant(`${base}/events`),
        body: fc.option(journeysEvent, { freq: 8, nil: undefined }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        method: fc.constant('POST'),
        path: fc.constant(`${base}/track`),
        body: fc.option(
          fc.oneof(
            fc.array(journeysEvent, { maxLength: 4 }).map((events) => ({ events })),
            fc.array(journeysEvent, { maxLength: 4 }),
            fc.integer({ min: 99, max: 102 }).map((n) => ({
              events: Array.from({ length: n }, (_, i) => ({
                ...JOURNEYS_EVENT,
                clientEventId: `fz-${i % 3}`,
              })),
            })),
            mutatedObject({ events: [JOURNEYS_EVENT] }),
          ),
          { freq: 8, nil: undefined },
        ),
      }),
    },
    {
      weight: 3,
      arbitrary: fc
        .record({
          id: journeysUserId,
          tail: fc.constantFrom('', '/timeline', '/offers', '/timeline'),
          query: queryOf(
            mutatedQuery([
              ['page', '1'],
              ['limit', '20'],
            ]),
          ),
        })
        .map(({ id, tail, query }) => ({
          method: 'GET',
          path: `${base}/users/${id}${tail}`,
          query: tail === '/timeline' ? query : '',
          body: undefined,
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ id: journeysUserId, offer: fc.oneof(fc.constant(world.claimedOfferId), uidSegment) })
        .map(({ id, offer }) => ({
          method: 'POST',
          path: `${base}/users/${id}/offers/${offer}/claim`,
          body: undefined,
        })),
    },
  );
  return fc
    .record({
      route,
      otherMethod: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: oddMethod }),
      variant: fc.oneof(
        { weight: 6, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
      auth: JOURNEYS_AUTH,
      abuse: headerAbuse,
    })
    .chain(({ route: r, otherMethod, variant, auth, abuse }) =>
      fc
        .record({
          path: variant ? pathVariant(r.path) : fc.constant({ path: r.path, canonical: true, tag: 'exact' }),
          encoded:
            r.method === 'POST'
              ? encodeBody(bodyText(r.body === undefined ? wrongValue : fc.constant(r.body)))
              : fc.constant(undefined),
        })
        .map(({ path, encoded }) =>
          assemble({
            family: 'journeys',
            method: otherMethod ?? r.method,
            path,
            query: 'query' in r ? (r.query as string) : '',
            auth: auth.headers,
            encoded,
            abuse,
            tags: [auth.tag],
          }),
        ),
    );
}

// ---------------------------------------------------------------- admin and paths of no API

const ADMIN_TOKEN = 'demo-admin-token';

const adminAuth = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .constantFrom(`Bearer ${ADMIN_TOKEN}`, `bearer ${ADMIN_TOKEN}`, `BEARER ${ADMIN_TOKEN}`)
      .map((v) => ({
        headers: [['Authorization', v]] as [string, string][],
        valid: true as boolean | undefined,
        tag: 'token:good',
      })),
  },
  {
    weight: 1,
    arbitrary: fc.constant({
      headers: [] as [string, string][],
      valid: false as boolean | undefined,
      tag: 'token:none',
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        ADMIN_TOKEN,
        'Bearer',
        'Bearer ',
        'Bearer wrong',
        `Bearer ${ADMIN_TOKEN}x`,
        `Bearer ${ADMIN_TOKEN.slice(0, -1)}`,
        `Bearer ${ADMIN_TOKEN.toUpperCase()}`,
        `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`,
        `Token ${ADMIN_TOKEN}`,
        `Bearer ${ADMIN_TOKEN} ${ADMIN_TOKEN}`,
        `Bearer\t${ADMIN_TOKEN}x`,
        'demo-key',
      )
      .map((v) => ({
        headers: [['Authorization', v]] as [string, string][],
        valid: false as boolean | undefined,
        tag: 'token:bad',
      })),
  },
  {
    weight: 1,
    arbitrary: fc.boolean().map((goodFirst) => ({
      headers: (goodFirst
        ? [
            ['Authorization', `Bearer ${ADMIN_TOKEN}`],
            ['Authorization', 'Bearer wrong'],
          ]
        : [
            ['Authorization', 'Bearer wrong'],
            ['Authorization', `Bearer ${ADMIN_TOKEN}`],
          ]) as [string, string][],
      // Two Authorization fields are not one valid credential (RFC 9110: a singleton field).
      valid: false as boolean | undefined,
      tag: `token:duplicate-${goodFirst ? 'good-first' : 'bad-first'}`,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      {
        headers: [['X-API-Key', ADMIN_TOKEN]] as [string, string][],
        valid: false as boolean | undefined,
        tag: 'token:wrong-header',
      },
      {
        headers: [['Cookie', `token=${ADMIN_TOKEN}`]] as [string, string][],
        valid: false as boolean | undefined,
        tag: 'token:cookie',
      },
      // Extra whitespace around a right token: accepting it or not are both defensible.
      {
        headers: [['Authorization', `Bearer   ${ADMIN_TOKEN}`]] as [string, string][],
        valid: undefined,
        tag: 'token:spaces',
      },
    ),
  },
);

const ADMIN_ROUTES: { method: string; path: string; body?: fc.Arbitrary<unknown> }[] = [
  { method: 'GET', path: '/admin/rules' },
  { method: 'POST', path: '/admin/rules/reload' },
  { method: 'POST', path: '/admin/rules/demo/rollback', body: mutatedObject({ hash: 'abc123' }) },
  {
    method: 'POST',
    path: '/admin/apps/demo/explain',
    body: mutatedObject({
      api: 'banner',
      request: { userId: 'u-1', offerId: '8622' },
      state: {},
      now: '2026-11-20T12:00:00Z',
    }),
  },
  {
    method: 'POST',
    path: '/admin/apps/demo/explain',
    body: mutatedObject({ api: 'offerwall', request: { uid: 'u-1', wall: 1001, numoffers: 3 }, state: {} }),
  },
  {
    method: 'POST',
    path: '/admin/apps/demo/explain',
    body: mutatedObject({ api: 'journeys', request: { externalId: 'x' }, state: {} }),
  },
  { method: 'GET', path: '/admin/apps/demo/experiments/champion-spotlight' },
  { method: 'GET', path: '/admin/apps/demo/catalog' },
  { method: 'POST', path: '/admin/apps/demo/catalog/sync' },
  { method: 'GET', path: '/admin/apps/demo/bans' },
  {
    method: 'POST',
    path: '/admin/apps/demo/bans',
    body: mutatedObject({ type: 'user', value: 'fz-banned', wallId: 1001, reason: 'fuzz' }),
  },
  { method: 'DELETE', path: '/admin/apps/demo/bans/no-such-ban' },
  { method: 'POST', path: '/admin/apps/demo/journeys/generate' },
];

export function adminRequests(): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      route: fc.constantFrom(...ADMIN_ROUTES),
      otherMethod: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: oddMethod }),
      variant: fc.oneof(
        { weight: 1, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
      auth: adminAuth,
      abuse: headerAbuse,
      query: queryOf(
        fc.oneof(
          fc.constant<[string, string][]>([]),
          fc.constant<[string, string][]>([['app', 'demo']]),
          fc
            .tuple(fc.constantFrom('app', 'wall', 'environment', 'bucketVersion'), queryValue)
            .map((p) => [p]),
          fc.constant<[string, string][]>([
            ['environment', 'test'],
            ['environment', 'live'],
          ]),
        ),
      ),
    })
    .chain(({ route, otherMethod, variant, auth, abuse, query }) =>
      fc
        .record({
          path: variant
            ? pathVariant(route.path)
            : fc.constant({ path: route.path, canonical: true, tag: 'exact' }),
          encoded: route.body
            ? encodeBody(bodyText(route.body))
            : fc.option(encodeBody(bodyText(wrongValue)), { freq: 4, nil: undefined }),
        })
        .map(({ path, encoded }) =>
          assemble({
            family: 'admin',
            method: otherMethod ?? route.method,
            path,
            query,
            auth: auth.headers,
            encoded,
            abuse,
            note: { adminTokenValid: auth.valid },
            tags: [auth.tag],
          }),
        ),
    );
}

/** Paths outside every API: a neutral JSON 404. */
export function unknownRequests(): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      path: fc.oneof(
        fc.constantFrom(
          '/',
          '/nope',
          '/api',
          '/api/v2/users/u/personalized',
          // Not '/v1': GamifyHost's base, whose unserved paths answer 404 in its envelope (journeys-routes.ts).
          '/v1x',
          '/v2/user-journeys/users',
          '/getPersonalizedBanners',
          '/.env',
          '/favicon.ico',
          '/healthz/x',
          '/%00',
          '/%ff',
          '/..%2f..%2fetc%2fpasswd',
          `/${'a'.repeat(8000)}`,
          '/*',
        ),
        nastyString
          .map((s) => `/${encodeComponent(s)}`)
          .filter((p) => !/^\/(admin|api|v1|ab|track|getpersonalizedbanner|healthz|readyz|metrics)/i.test(p)),
      ),
      method: oddMethod,
      abuse: headerAbuse,
      encoded: fc.option(encodeBody(bodyText(wrongValue)), { nil: undefined }),
    })
    .map((p) =>
      assemble({
        family: 'unknown',
        method: p.method,
        path: { path: p.path, canonical: true, tag: 'exact' },
        auth: [],
        encoded: p.encoded,
        abuse: p.abuse,
      }),
    );
}

// ---------------------------------------------------------------- requests node:http will not write

/** Bytes no client library sends: the server's HTTP parser must answer them, as JSON. */
export function malformedRequests(family: Family, path: string): fc.Arbitrary<FuzzRequest> {
  const lines = (head: string[], body = '') => Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`, 'latin1');
  const host = 'Host: 127.0.0.1';
  const cases: [string, Buffer][] = [
    ['nul-in-header', lines([`GET ${path} HTTP/1.1`, host, 'X-A: a\u0000b', 'Connection: close'])],
    ['ctl-in-header', lines([`GET ${path} HTTP/1.1`, host, 'X-A: a\u0001b', 'Connection: close'])],
    ['space-in-header-name', lines([`GET ${path} HTTP/1.1`, host, 'Bad Header: x', 'Connection: close'])],
    ['bad-method-token', lines([`G@T ${path} HTTP/1.1`, host, 'Connection: close'])],
    ['bad-version', lines([`GET ${path} HTTP/9.9`, host, 'Connection: close'])],
    ['space-in-target', lines([`GET ${path} x HTTP/1.1`, host, 'Connection: close'])],
    ['ctl-in-target', lines([`GET ${path}\u0001 HTTP/1.1`, host, 'Connection: close'])],
    ['no-host', lines([`GET ${path} HTTP/1.1`, 'Connection: close'])],
    ['two-hosts', lines([`GET ${path} HTTP/1.1`, host, host, 'Connection: close'])],
    ['obs-fold', lines([`GET ${path} HTTP/1.1`, host, 'X-A: a', ' b', 'Connection: close'])],
    [
      'cl-and-te',
      lines(
        [
          `POST ${path} HTTP/1.1`,
          host,
          'Content-Length: 4',
          'Transfer-Encoding: chunked',
          'Connection: close',
        ],
        '0\r\n\r\n',
      ),
    ],
    [
      'bad-content-length',
      lines([`POST ${path} HTTP/1.1`, host, 'Content-Length: abc', 'Connection: close'], '{}'),
    ],
    [
      'negative-content-length',
      lines([`POST ${path} HTTP/1.1`, host, 'Content-Length: -1', 'Connection: close'], '{}'),
    ],
    [
      'two-content-lengths',
      lines(
        [`POST ${path} HTTP/1.1`, host, 'Content-Length: 2', 'Content-Length: 3', 'Connection: close'],
        '{}',
      ),
    ],
    [
      'bad-chunk-size',
      lines(
        [
          `POST ${path} HTTP/1.1`,
          host,
          'Content-Type: application/json',
          'Transfer-Encoding: chunked',
          'Connection: close',
        ],
        'zz\r\n{}\r\n0\r\n\r\n',
      ),
    ],
    [
      'te-unknown',
      lines([`POST ${path} HTTP/1.1`, host, 'Transfer-Encoding: gzip', 'Connection: close'], '{}'),
    ],
    [
      'huge-raw-header',
      lines([`GET ${path} HTTP/1.1`, host, `X-Huge: ${'a'.repeat(70_000)}`, 'Connection: close']),
    ],
    ['lf-only', Buffer.from(`GET ${path} HTTP/1.1\n${host}\nConnection: close\n\n`)],
    [
      'utf8-in-header',
      Buffer.concat([
        Buffer.from(`GET ${path} HTTP/1.1\r\n${host}\r\nX-A: `),
        Buffer.from('\u00e9\u2028', 'utf8'),
        Buffer.from('\r\nConnection: close\r\n\r\n'),
      ]),
    ],
    [
      'raw-utf8-in-target',
      Buffer.concat([
        Buffer.from(`GET ${path}`),
        Buffer.from('\u00e9', 'utf8'),
        Buffer.from(` HTTP/1.1\r\n${host}\r\nConnection: close\r\n\r\n`),
      ]),
    ],
  ];
  return fc.constantFrom(...cases).map(([tag, raw]) => ({
    family,
    method: 'RAW',
    path,
    headers: [],
    raw,
    note: { canonicalPath: true, protocolError: true, tags: [`raw:${tag}`] },
  }));
}

/** A family's requests with a share of malformed ones on its main path. */
export function withMalformed(
  family: Family,
  path: string,
  arb: fc.Arbitrary<FuzzRequest>,
): fc.Arbitrary<FuzzRequest> {
  return fc.oneof({ weight: 14, arbitrary: arb }, { weight: 1, arbitrary: malformedRequests(family, path) });
}
