import test, { type ExecutionContext } from 'ava';
import nock from 'nock';
import type { CatalogOffer } from '../../src/offerwall/domain/offer.js';
import {
  ADMIN,
  demoCatalog,
  type PersonalizedJson,
  signedPostback,
  startOfferwall,
  tempDir,
  writeOfferwallConfig,
} from '../helpers/offerwall-service.js';

const FEED = 'https://feed.example.test';
const LIST = '/api/v1/users/u1/personalized?wall=1001&numoffers=500&ip=8.8.8.8';

test.before(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
test.afterEach.always(() => {
  nock.cleanAll();
});
test.after.always(() => {
  nock.enableNetConnect();
});

/** Feed offers: demo offers a US caller may see, re-numbered from 90001 and open to every country. */
function feedOffers(n: number, label = 'feed'): CatalogOffer[] {
  return demoCatalog()
    .filter((o) => ![0, 9, 10].includes(o.offer_type))
    .slice(0, n)
    .map((o, i) => ({ ...o, offer_id: 90001 + i, countries: [], label, cap_remaining: null }));
}

function page(offers: CatalogOffer[], offset: number, limit: number, total = offers.length) {
  return {
    status: 'success',
    publisher_id: 1,
    wall_id: 1001,
    total,
    offset,
    limit,
    offers: offers.slice(offset, offset + limit),
  };
}

async function withFeed(t: ExecutionContext, feed: string, dataDir?: string, now?: () => Date) {
  const dir = await tempDir(t, 'feed-config');
  const config = await writeOfferwallConfig(dir, `        feed:\n          url: ${FEED}/v1/offers\n${feed}`);
  return startOfferwall(t, { configPath: config, ...(dataDir ? { dataDir } : {}), ...(now ? { now } : {}) });
}

const FAST =
  '          apiKey: feed-key-1\n          pageSize: 2\n          timeoutMs: 300\n          retries: 2\n          backoffMs: 1\n';

interface SyncJson {
  results: { wallId: number; ok: boolean; offers: number; source: string; error: string | null }[];
}
const sync = (h: { json: <T>(p: string, i?: RequestInit) => Promise<{ res: Response; body: T }> }) =>
  h.json<SyncJson>('/admin/apps/demo/catalog/sync', { method: 'POST', headers: ADMIN });

const ids = (body: PersonalizedJson) => body.offers.map((o) => o.offer_id).sort((a, b) => a - b);

/** Serves `offers` two per page, checking the API key. */
function serve(offers: CatalogOffer[]) {
  const scope = nock(FEED).matchHeader('x-api-key', 'feed-key-1');
  for (let offset = 0; offset < offers.length; offset += 2) {
    scope
      .get('/v1/offers')
      .query({ limit: '2', offset: String(offset) })
      .reply(200, page(offers, offset, 2));
  }
  return scope;
}

test.serial('success and paging: the feed replaces the file catalog, page by page until total', async (t) => {
  const h = await withFeed(t, FAST);
  const before = (await h.json<PersonalizedJson>(LIST)).body;
  t.true(
    before.offers.every((o) => o.offer_id < 90000),
    'serves the shipped file first',
  );
  const offers = feedOffers(5);
  const scope = serve(offers);
  const { res, body } = await sync(h);
  t.is(res.status, 200);
  t.like(body.results[0], { wallId: 1001, ok: true, offers: 5, source: 'feed', error: null });
  t.true(scope.isDone(), 'three pages fetched');
  const after = (await h.json<PersonalizedJson>(LIST)).body;
  t.true(after.offers.length > 0);
  t.true(after.offers.every((o) => o.offer_id > 90000));
  const status = await h.json<{ walls: { source: string; offers: number; lastSync: { ok: boolean } }[] }>(
    '/admin/apps/demo/catalog',
    { headers: ADMIN },
  );
  t.like(status.body.walls[0], { source: 'feed', offers: 5, lastSync: { ok: true } });
});

async function failingSync(t: ExecutionContext, arrange: () => void, expected: RegExp) {
  const h = await withFeed(t, FAST);
  serve(feedOffers(4));
  t.is((await sync(h)).res.status, 200);
  const good = ids((await h.json<PersonalizedJson>(LIST)).body);
  arrange();
  const { res, body } = await sync(h);
  t.is(res.status, 502);
  t.like(body.results[0], { ok: false, offers: 4, source: 'feed' });
  t.regex(body.results[0]?.error ?? '', expected);
  t.deepEqual(ids((await h.json<PersonalizedJson>(LIST)).body), good, 'the last good catalog keeps serving');
  const metrics = await (await h.get('/metrics')).text();
  t.regex(metrics, /offerd_offerwall_catalog_syncs_total\{app="demo",wall="1001",result="failure"\} 1/);
}

test.serial('HTTP 500 is retried, then the last good catalog keeps serving', async (t) => {
  await failingSync(
    t,
    () => {
      nock(FEED).get('/v1/offers').query(true).times(3).reply(500, 'boom');
    },
    /HTTP 500 \(after 3 attempts\)/,
  );
});

test.serial('a timeout is retried, then the last good catalog keeps serving', async (t) => {
  const offers = feedOffers(4, 'slow');
  await failingSync(
    t,
    () => {
      nock(FEED)
        .get('/v1/offers')
        .query(true)
        .times(3)
        .delay(1000)
        .reply(200, page(offers, 0, 2));
    },
    /timed out after 300 ms/,
  );
});

test.serial('malformed JSON keeps the last good catalog', async (t) => {
  await failingSync(
    t,
    () => {
      nock(FEED).get('/v1/offers').query(true).reply(200, '{"status":"success","offers":[', {
        'Content-Type': 'application/json',
      });
    },
    /malformed JSON/,
  );
});

test.serial('a missing page keeps the last good catalog', async (t) => {
  const offers = feedOffers(6, 'new');
  await failingSync(
    t,
    () => {
      nock(FEED)
        .get('/v1/offers')
        .query({ limit: '2', offset: '0' })
        .reply(200, page(offers, 0, 2));
      nock(FEED).get('/v1/offers').query({ limit: '2', offset: '2' }).reply(404, { status: 'failure' });
    },
    /offset 2: HTTP 404/,
  );
});

test.serial('a page that ends before total (partial data) keeps the last good catalog', async (t) => {
  const offers = feedOffers(6, 'partial');
  await failingSync(
    t,
    () => {
      nock(FEED)
        .get('/v1/offers')
        .query({ limit: '2', offset: '0' })
        .reply(200, page(offers, 0, 2));
      nock(FEED)
        .get('/v1/offers')
        .query({ limit: '2', offset: '2' })
        .reply(200, { ...page(offers, 2, 2), offers: [] });
    },
    /partial catalog: 2 of 6/,
  );
});

test.serial('an invalid offer in a page keeps the last good catalog', async (t) => {
  const offers = feedOffers(2, 'bad').map((o) => ({ ...o, offer_type: 42 }));
  await failingSync(
    t,
    () => {
      nock(FEED)
        .get('/v1/offers')
        .query(true)
        .reply(200, page(offers, 0, 2));
    },
    /invalid page: \/offers\/0\/offer_type/,
  );
});

test.serial('a failing first sync leaves the shipped file serving', async (t) => {
  const h = await withFeed(t, FAST);
  const before = ids((await h.json<PersonalizedJson>(LIST)).body);
  nock(FEED).get('/v1/offers').query(true).times(3).replyWithError(new Error('connect ECONNREFUSED'));
  const { res, body } = await sync(h);
  t.is(res.status, 502);
  t.like(body.results[0], { ok: false, source: 'file' });
  t.regex(body.results[0]?.error ?? '', /ECONNREFUSED/);
  t.deepEqual(ids((await h.json<PersonalizedJson>(LIST)).body), before);
});

test.serial('the synced catalog survives a restart, even when the feed is down', async (t) => {
  const dataDir = await tempDir(t, 'feed-data');
  const first = await withFeed(t, FAST, dataDir);
  serve(feedOffers(3));
  t.is((await sync(first)).res.status, 200);
  await first.service.stop();
  const second = await withFeed(t, FAST, dataDir);
  const { body } = await second.json<PersonalizedJson>(LIST);
  t.deepEqual(ids(body), [90001, 90002, 90003]);
});

test.serial('the schedule syncs by itself', async (t) => {
  nock(FEED)
    .get('/v1/offers')
    .query(true)
    .reply(200, page(feedOffers(2, 'cron'), 0, 2))
    .persist();
  const h = await withFeed(t, `${FAST}          schedule: '* * * * * *'\n`);
  const deadline = Date.now() + 5000;
  let served: number[] = [];
  while (Date.now() < deadline) {
    served = ids((await h.json<PersonalizedJson>(LIST)).body);
    if (served[0] === 90001) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.deepEqual(served, [90001, 90002]);
});

test.serial('sync answers 409 for an app without a feed, 401 without the admin token', async (t) => {
  const h = await startOfferwall(t);
  t.is((await sync(h)).res.status, 409);
  t.is((await h.get('/admin/apps/demo/catalog/sync', { method: 'POST' })).status, 401);
});

test.serial(
  'an offer a sync takes out takes postbacks until its attribution window ends; replays stay duplicates',
  async (t) => {
    let now = Date.parse('2026-11-20T12:00:00Z');
    const clock = () => new Date(now);
    const dataDir = await tempDir(t, 'feed-data');
    const first = await withFeed(t, FAST, dataDir, clock);
    const offers = feedOffers(3);
    const gone = offers[2] as CatalogOffer;
    const last = gone.events[gone.events.length - 1]?.event_id ?? '';
    serve(offers);
    t.is((await sync(first)).res.status, 200);
    const postback = (h: typeof first, event: string, tx: string, uid = 'u1') =>
      h.json<{ duplicate?: boolean; user_completed?: boolean; error?: { code: string } }>(
        `/api/v1/postback?${signedPostback({ uid, offer: gone.offer_id, event, tx })}`,
      );
    t.like((await postback(first, 'base', 'tx-a')).body, { duplicate: false });

    serve(offers.slice(0, 2));
    t.is((await sync(first)).res.status, 200);
    t.false(ids((await first.json<PersonalizedJson>(LIST)).body).includes(gone.offer_id));
    // The replay of an acknowledged postback, and another user's conversion after the offer left.
    t.like((await postback(first, 'base', 'tx-a')).body, { duplicate: true });
    const done = await postback(first, last, 'tx-b', 'u2');
    t.is(done.res.status, 200);
    t.like(done.body, { duplicate: false, user_completed: true });
    await first.service.stop();

    // Kept across a restart, until the longest attribution window of the offer and its events.
    const second = await withFeed(t, FAST, dataDir, clock);
    t.like((await postback(second, last, 'tx-b', 'u2')).body, { duplicate: true });
    const days = Math.max(gone.attribution_window_days, ...gone.events.map((e) => e.attribution_window_days));
    now += days * 86_400_000 + 1000;
    const late = await postback(second, 'base', 'tx-c');
    t.is(late.res.status, 404);
    t.like(late.body, { error: { code: 'OFFER_NOT_FOUND' } });
    t.like((await postback(second, 'base', 'tx-a')).body, { duplicate: true });
  },
);
