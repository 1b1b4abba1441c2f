import test from 'ava';
import pg from 'pg';
import { openPostgresStore } from '../../../src/apis.js';
import type { NewOffer, OfferLimits } from '../../../src/journeys/domain/journey-types.js';
import { JOURNEYS_MIGRATION } from '../../../src/journeys/store/journeys-migration.js';
import { JOURNEYS_OFFERS_UNLOCKED_MIGRATION } from '../../../src/journeys/store/journeys-offers-unlocked-migration.js';
import { migrate } from '../../../src/store/postgres/migrate.js';
import { usePostgres } from '../../helpers/postgres-server.js';
import { journeysStoreContract } from './journeys-store-contract.js';
import { journeysUnstorableContract } from './journeys-unstorable-contract.js';
import { journeysUserBoundsContract } from './journeys-user-bounds-contract.js';

const server = usePostgres(test);

const openAt = async (url: string) => {
  const store = await openPostgresStore(url, { max: 20 });
  return { store: store.journeys, close: () => store.close(), reopen: () => openAt(url) };
};

// A fresh database per store, so every contract case starts empty.
const fresh = async () => openAt(await server().freshDatabase('journeys'));
journeysStoreContract(test, 'postgres', fresh, { persistent: true });
journeysUnstorableContract(test, 'postgres', fresh, { persistent: true });
journeysUserBoundsContract(test, 'postgres', fresh);

test('migration 203 applies on a database holding events: ids become per user, the events stay', async (t) => {
  const url = await server().freshDatabase('journeys_m203');
  // The schema as migrations 201–202 left it, with events, some of them with client ids.
  const pool = new pg.Pool({ connectionString: url });
  try {
    await migrate(pool, [JOURNEYS_MIGRATION, JOURNEYS_OFFERS_UNLOCKED_MIGRATION]);
    await pool.query(`INSERT INTO journeys_users (app_id, environment, external_id, id, tags, metadata, created_at, updated_at)
      VALUES ('demo', 'test', 'jn-1', 'id-1', '{}', '{}', now(), now()),
             ('demo', 'test', 'jn-2', 'id-2', '{}', '{}', now(), now())`);
    await pool.query(`INSERT INTO journeys_events (app_id, environment, id, external_id, client_event_id, category,
        event_type, points, occurred_at, received_at, metadata)
      VALUES ('demo', 'test', 'e1', 'jn-1', 'tb-1', 'GAME_PLAY', 'spin', 7, now(), now(), '{}'),
             ('demo', 'test', 'e2', 'jn-1', null, 'GAME_PLAY', 'spin', 1, now(), now(), '{}'),
             ('demo', 'test', 'e3', 'jn-2', 'tb-2', 'GAME_PLAY', 'spin', 2, now(), now(), '{}')`);
  } finally {
    await pool.end();
  }
  const opened = await openPostgresStore(url, { max: 4 });
  t.teardown(() => opened.close());
  t.true(opened.migrations.applied.some((m) => m.version === 203));
  const s = opened.journeys;
  const p = { appId: 'demo', environment: 'test' as const };
  const now = new Date();
  const event = (externalId: string, clientEventId: string) => ({
    id: `new-${externalId}-${clientEventId}`,
    externalId,
    clientEventId,
    category: 'GAME_PLAY',
    eventType: 'spin',
    points: 5,
    occurredAt: now.toISOString(),
    metadata: {},
  });
  t.deepEqual(
    (await s.userEvents(p, 'jn-1')).map((e) => e.id),
    ['e1', 'e2'],
  );
  const [retry] = await s.appendEvents(p, [event('jn-1', 'tb-1')], now, () => 'unused');
  t.true(retry?.duplicate);
  t.is(retry?.event.id, 'e1');
  const [other] = await s.appendEvents(p, [event('jn-2', 'tb-1')], now, () => 'unused');
  t.false(other?.duplicate, "jn-1's id is no longer jn-2's");
  t.is(other?.event.externalId, 'jn-2');
  t.deepEqual((await s.userEvents(p, 'jn-2')).map((e) => e.id).sort(), ['e3', 'new-jn-2-tb-1']);
});

test('200,000 offers due together are all expired under a 1 s statement timeout, counted by type', async (t) => {
  // A run's offers share their expiry, so they come due together. One statement for all of
  // them ran past the statement timeout, was rolled back, and every later run failed the same.
  const url = await server().freshDatabase('journeys_expire');
  const opened = await openPostgresStore(url, { pool: { max: 4, statementTimeoutMs: 1000 } });
  t.teardown(() => opened.close());
  const p = { appId: 'demo', environment: 'test' as const };
  const now = new Date();
  await opened.journeys.upsertUser(p, { externalId: 'u1' }, now, () => 'id-u1');
  const pool = new pg.Pool({ connectionString: url });
  try {
    await pool.query(
      `INSERT INTO journeys_offers (app_id, environment, id, external_id, offer_type, title, description,
         points_value, status, created_at, expires_at, metadata)
       SELECT 'demo', 'test', 'o-' || i, 'u1', CASE WHEN i % 4 = 0 THEN 'spin' ELSE 'bonus' END, 't', 'd',
         10, 'active', now() - interval '2 days', now() - interval '1 day', '{}'
       FROM generate_series(1, 200000) i`,
    );
  } finally {
    await pool.end();
  }
  t.deepEqual(await opened.journeys.expireDue(p, now), { spin: 50_000, bonus: 150_000 });
  t.deepEqual(await opened.journeys.expireDue(p, now), {});
});

test('a generation write waits its turn for the partition lock beyond the statement timeout, which then holds again', async (t) => {
  const url = await server().freshDatabase('journeys_lock');
  const opened = await openPostgresStore(url, { pool: { max: 4, statementTimeoutMs: 1000 } });
  t.teardown(() => opened.close());
  const p = { appId: 'demo', environment: 'test' as const };
  const now = new Date();
  await opened.journeys.upsertUser(p, { externalId: 'u1' }, now, () => 'id-u1');
  // Another run's chunk holds the partition's lock for 2.5 s.
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  t.teardown(() => other.end());
  await other.query('BEGIN');
  await other.query(`SELECT pg_advisory_xact_lock(hashtextextended('journeys-offers:demo:test', 0))`);
  const release = setTimeout(() => void other.query('COMMIT'), 2500);
  t.teardown(() => clearTimeout(release));
  const offer: NewOffer = {
    id: '0190a3f0-0000-7000-8000-000000000001',
    externalId: 'u1',
    offerType: 'spin',
    gameType: null,
    title: 't',
    description: 'd',
    pointsValue: 10,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
    notOfferedSince: null,
    metadata: {},
  };
  const limits: OfferLimits = { maxActiveOffers: 3, maxActivePerType: 2, inactivityDays: 60 };
  const written = await opened.journeys.createOffers(p, [offer], limits, now);
  t.is(written.created.length, 1);
  // The lock's longer wait was for the lock alone: a slow statement is cancelled at 1 s again.
  const error = await t.throwsAsync(opened.pool.query('SELECT pg_sleep(3)'));
  t.is((error as { code?: string }).code, '57014');
});
