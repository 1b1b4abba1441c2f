import { setTimeout as sleep } from 'node:timers/promises';
import anyTest, { type TestFn } from 'ava';
import nock from 'nock';
import type { CatalogOffer } from '../../src/offerwall/domain/offer.js';
import {
  ADMIN,
  demoCatalog,
  type PersonalizedJson,
  signedPostback,
  tempDir,
  writeOfferwallConfig,
} from '../helpers/offerwall-service.js';
import { usePostgres } from '../helpers/postgres-server.js';
import { startTestService, type TestService } from '../helpers/start-test-service.js';

/**
 * Two instances on one PostgreSQL database: a catalog sync called on one reaches the other
 * within about a second (the admin action log), so a click link or postback for a new offer
 * works on either. Before, the other served its old catalog until its own schedule ran (every
 * 15 min): A's click link answered 302 on A and 404 OFFER_NOT_FOUND on B (operator probe).
 */
const test = anyTest as TestFn;
const server = usePostgres(test);
const FEED = 'https://feed.example.test';
const LIST = '/api/v1/users/u1/personalized?wall=1001&numoffers=500&ip=8.8.8.8';

test.before(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
test.after.always(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

/** Ten demo offers a US caller may see, with new ids from 90001. */
const feedOffers = (): CatalogOffer[] =>
  demoCatalog()
    .filter((o) => ![0, 9, 10].includes(o.offer_type))
    .slice(0, 10)
    .map((o, i) => ({ ...o, offer_id: 90001 + i, countries: [], cap_remaining: null }));

const ids = async (i: TestService) =>
  ((await (await i.fetch(LIST)).json()) as PersonalizedJson).offers.map((o) => o.offer_id);

test('a catalog sync on one instance serves on every instance within a second: lists, clicks, postbacks', async (t) => {
  const url = await server().freshDatabase('catalogshare');
  const dir = await tempDir(t, 'shared-catalog');
  const config = await writeOfferwallConfig(
    dir,
    `        feed:\n          url: ${FEED}/v1/offers\n          pageSize: 100\n          retries: 0\n`,
  );
  const start = (id: string) =>
    startTestService(t, {
      env: {
        OFFERD_CONFIG: config,
        OFFERD_STORE: 'postgres',
        DATABASE_URL: url,
        OFFERD_INSTANCE_ID: id,
        OFFERD_FIXTURES_GATE: '0',
      },
    });
  const [a, b] = await Promise.all([start('a'), start('b')]);
  t.true(
    (await ids(b)).every((id) => id < 90000),
    'b serves the file first',
  );

  const offers = feedOffers();
  nock(FEED).get('/v1/offers').query({ limit: '100', offset: '0' }).once().reply(200, {
    status: 'success',
    publisher_id: 1,
    wall_id: 1001,
    total: 10,
    offset: 0,
    limit: 100,
    offers,
  });
  const synced = await a.fetch('/admin/apps/demo/catalog/sync?wall=1001', { method: 'POST', headers: ADMIN });
  t.is(synced.status, 200, await synced.text());
  t.true((await ids(a)).every((id) => id > 90000));

  const started = Date.now();
  while (!(await ids(b)).every((id) => id > 90000)) {
    if (Date.now() - started > 3000)
      return t.fail(`b still serves its old catalog after 3 s (ids ${(await ids(b)).slice(0, 3)}…)`);
    await sleep(25);
  }
  t.log(`b serves the synced catalog ${Date.now() - started} ms after a's answer`);

  // A's signed click link and a postback for a new offer, on b.
  const list = (await (await a.fetch(LIST)).json()) as PersonalizedJson;
  const link = new URL(list.offers[0]?.click_url ?? '');
  const click = await b.fetch(`${link.pathname}${link.search}`, { redirect: 'manual' });
  t.is(click.status, 302);
  const postback = await b.fetch(
    `/api/v1/postback?${signedPostback({ uid: 'u1', offer: offers[1]?.offer_id ?? 0, event: 'base', tx: 'tx-1' })}`,
  );
  t.is(postback.status, 200);
  const status = (await (await b.fetch('/admin/apps/demo/catalog', { headers: ADMIN })).json()) as {
    walls: { source: string; offers: number }[];
  };
  t.like(status.walls[0], { source: 'feed', offers: 10 });
});
