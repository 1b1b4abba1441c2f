import test from 'ava';
import { openPostgresStore } from '../../../src/apis.js';
import type { NewOffer, OfferLimits, Partition } from '../../../src/journeys/domain/journey-types.js';
import { usePostgres } from '../../helpers/postgres-server.js';

// createOffers on PostgreSQL sends each distinct offer content once and, per offer, which
// content it carries (journeys-postgres-offer-insert.ts); these hold what that must not change.
const server = usePostgres(test);

const TEST: Partition = { appId: 'demo', environment: 'test' };
const NOW = new Date('2026-11-20T12:00:00.000Z');
const LIMITS: OfferLimits = { maxActiveOffers: 50, maxActivePerType: 50, inactivityDays: 60 };
let seq = 0;
const id = (): string => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

const offer = (over: Partial<NewOffer> = {}): NewOffer => ({
  id: id(),
  externalId: 'u1',
  offerType: 'bonus',
  gameType: null,
  title: 'Welcome',
  description: 'Hello',
  pointsValue: 100,
  createdAt: NOW.toISOString(),
  expiresAt: '2026-11-21T12:00:00.000Z',
  metadata: { source: 'insert' },
  notOfferedSince: null,
  ...over,
});

async function open(name: string) {
  const store = await openPostgresStore(await server().freshDatabase(name), { max: 4 });
  for (const u of ['u1', 'u2']) await store.journeys.upsertUser(TEST, { externalId: u }, NOW, id);
  return store;
}

test('offers that differ in any one column are each stored as sent, in the order sent', async (t) => {
  const store = await open('insert_contents');
  t.teardown(() => store.close());
  const base = offer();
  const offers = [
    base,
    offer({ externalId: 'u2' }),
    offer({ title: 'Welcome, "Ann" \\ {1,2}' }),
    offer({ description: 'Hello|5:x' }),
    offer({ gameType: 'null' }),
    offer({ gameType: 'slots' }),
    offer({ pointsValue: 101 }),
    offer({ expiresAt: '2026-11-22T12:00:00.000Z' }),
    offer({ metadata: { source: 'insert', n: 1 } }),
    offer({ metadata: {} }),
    offer({ metadata: { source: { nested: 1 } } }),
    offer({ metadata: { source: { nested: 2 } } }),
    offer({ offerType: 'bonus2' }),
    offer(),
    // More distinct texts of one type than are searched for a match, then repeats of them.
    ...Array.from({ length: 10 }, (_, i) => offer({ offerType: 'named', title: `Hi p${i}` })),
    offer({ offerType: 'named', title: 'Hi p0' }),
    offer({ offerType: 'named', title: 'Hi p9' }),
  ];
  const { created, rejected } = await store.journeys.createOffers(TEST, offers, LIMITS, NOW);
  t.deepEqual(rejected, []);
  t.is(created.length, offers.length);
  const stored = [
    ...(await store.journeys.userOffers(TEST, 'u1')),
    ...(await store.journeys.userOffers(TEST, 'u2')),
  ];
  const byId = new Map(stored.map((o) => [o.id, o]));
  for (const sent of offers) {
    const { notOfferedSince: _n, ...fields } = sent;
    t.deepEqual(byId.get(sent.id), { ...fields, status: 'active', claimedAt: null });
  }
  // The table's own order (seq) is the order sent.
  const { rows } = await store.pool.query('SELECT id FROM journeys_offers ORDER BY seq');
  t.deepEqual(
    rows.map((r) => r.id),
    offers.map((o) => o.id),
  );
});

test('an id another transaction inserts while the chunk waits is refused as duplicate_id, the rest created', async (t) => {
  const store = await open('insert_conflict');
  t.teardown(() => store.close());
  const other = await store.pool.connect();
  const taken = offer({ externalId: 'u2' });
  await other.query('BEGIN');
  await other.query(
    `INSERT INTO journeys_offers (app_id, environment, id, external_id, offer_type, title, description,
      points_value, status, created_at, expires_at, metadata)
     VALUES ('demo', 'test', $1, 'u2', 'other', 't', 'd', 1, 'active', now(), now(), '{}')`,
    [taken.id],
  );
  // Not committed yet: the chunk's reads cannot see it, its insert waits on it.
  const kept = offer({ offerType: 'kept' });
  const creating = store.journeys.createOffers(TEST, [{ ...taken, externalId: 'u1' }, kept], LIMITS, NOW);
  for (let i = 0; i < 200; i++) {
    const { rows } = await store.pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
    );
    if (rows[0].n > 0) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  await other.query('COMMIT');
  other.release();
  const { created, rejected } = await creating;
  t.deepEqual(
    rejected.map((r) => [r.offer.id, r.reason]),
    [[taken.id, 'duplicate_id']],
  );
  t.deepEqual(
    created.map((o) => o.id),
    [kept.id],
  );
  t.deepEqual(
    (await store.journeys.userOffers(TEST, 'u1')).map((o) => o.id),
    [kept.id],
  );
});
