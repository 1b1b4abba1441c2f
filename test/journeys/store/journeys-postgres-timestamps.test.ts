import test from 'ava';
import pg from 'pg';
import { openPostgresStore } from '../../../src/apis.js';
import type { NewEvent, NewOffer, OfferLimits } from '../../../src/journeys/domain/journey-types.js';
import { eventTotals } from '../../../src/journeys/domain/profile-aggregates.js';
import { timestamptzText } from '../../../src/journeys/store/journeys-postgres-timestamps.js';
import { usePostgres } from '../../helpers/postgres-server.js';

const server = usePostgres(test);

const defaultParse = pg.types.getTypeParser(1184) as (text: string) => Date | number;
const P = { appId: 'demo', environment: 'test' } as const;
const NOW = new Date('2026-11-20T12:00:00.000Z');
const LIMITS: OfferLimits = { maxActiveOffers: 3, maxActivePerType: 1, inactivityDays: 60 };

test('timestamptz text reads as the ISO string pg’s Date gives, truncated to the millisecond', (t) => {
  const cases: [string, string][] = [
    ['2026-12-02 13:24:47+00', '2026-12-02T13:24:47.000Z'],
    ['2026-12-02 13:24:47.1+00', '2026-12-02T13:24:47.100Z'],
    ['2026-12-02 13:24:47.12+00', '2026-12-02T13:24:47.120Z'],
    ['2026-12-02 13:24:47.001+00', '2026-12-02T13:24:47.001Z'],
    ['2026-12-02 13:24:47.123999+00', '2026-12-02T13:24:47.123Z'],
    ['1999-12-31 23:59:59.999999+00', '1999-12-31T23:59:59.999Z'],
    ['0099-01-01 00:00:00+00', '0099-01-01T00:00:00.000Z'],
  ];
  for (const [text, iso] of cases) {
    t.is(timestamptzText(text), iso, text);
    t.is((defaultParse(text) as Date).toISOString(), iso, `pg's own parser agrees on ${text}`);
  }
  // Other spellings are pg's own parse: a Date (or ±Infinity), as before.
  for (const text of [
    '2026-12-02 18:54:47.5+05:30',
    '2026-12-02 13:24:47-03:30',
    '0099-01-01 05:53:28+05:53:28',
    '10000-01-01 00:00:00+00',
    '0044-03-15 12:00:00+00 BC',
  ]) {
    t.deepEqual(timestamptzText(text), defaultParse(text), text);
    t.true(timestamptzText(text) instanceof Date, text);
  }
  t.is(timestamptzText('infinity'), Number.POSITIVE_INFINITY);
  t.is(timestamptzText('-infinity'), Number.NEGATIVE_INFINITY);
});

const INSTANTS = [
  '2026-11-19T23:59:59.999Z',
  '2026-03-29T01:30:00.001Z',
  '2026-10-25T00:59:59.500Z',
  '1999-12-31T23:59:59.999Z',
  '0099-06-30T12:00:00.010Z',
];

// The generation scan reads offers' timestamps as text (ISO_TIMESTAMPS) and the events'
// first and last instants as epoch milliseconds; the other reads keep pg's Date. All must
// give the same instant, to the millisecond, whatever the session's time zone (pg itself
// reads only DateStyle ISO, PostgreSQL's default).
for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Europe/London']) {
  test(`the generation scan and the limits read exact instants in a ${zone} session`, async (t) => {
    const url = await server().freshDatabase('timestamps');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DO $$ BEGIN
      EXECUTE format('ALTER DATABASE %I SET TimeZone = %L', current_database(), '${zone}');
    END $$`);
    await admin.end();
    const store = await openPostgresStore(url, { max: 4 });
    t.teardown(() => store.close());
    const s = store.journeys;
    t.is((await store.pool.query("SELECT current_setting('TimeZone') AS tz")).rows[0].tz, zone);
    let n = 0;
    const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    const events: NewEvent[] = INSTANTS.map((occurredAt) => ({
      id: id(),
      externalId: 'u1',
      clientEventId: null,
      category: 'GAME_PLAY',
      eventType: 'spin',
      points: 1,
      occurredAt,
      metadata: {},
    }));
    await s.appendEvents(P, events, NOW, id);
    // Microseconds, which the API never writes: truncated, as pg's Date does.
    await store.pool.query(
      `INSERT INTO journeys_events (app_id, environment, id, external_id, category, event_type, points,
         occurred_at, received_at, metadata)
       VALUES ('demo', 'test', 'micro', 'u1', 'GAME_PLAY', 'spin', 1, '2026-01-01 00:00:00.123999+00', now(), '{}')`,
    );
    const offer = (over: Partial<NewOffer>): NewOffer => ({
      id: id(),
      externalId: 'u1',
      offerType: 'spin',
      gameType: null,
      title: 't',
      description: 'd',
      pointsValue: 1,
      createdAt: '2026-11-20T10:00:00.007Z',
      expiresAt: '2026-11-20T11:00:00.993Z',
      metadata: {},
      notOfferedSince: null,
      ...over,
    });
    const first = await s.createOffers(P, [offer({})], LIMITS, NOW);
    t.is(first.created.length, 1);

    const batches = [];
    for await (const batch of s.scanUsers(P, 10, NOW)) batches.push(...batch);
    const scanned = batches[0];
    if (!scanned) return t.fail('no user scanned');
    const expected = [...INSTANTS, '2026-01-01T00:00:00.123Z'].sort();
    t.deepEqual(
      (await s.userEvents(P, 'u1')).map((e) => e.occurredAt).sort(),
      expected,
      'the events read back at the millisecond',
    );
    // The scan's totals carry the first and last instants exactly, as epoch milliseconds.
    t.is(scanned.totals.firstAt, Date.parse(expected[0] ?? ''));
    t.is(scanned.totals.lastAt, Date.parse(expected[expected.length - 1] ?? ''));
    t.deepEqual(scanned.totals, eventTotals(await s.userEvents(P, 'u1'), NOW));
    t.deepEqual(scanned.offers, await s.userOffers(P, 'u1'));
    t.is(scanned.offers[0]?.createdAt, '2026-11-20T10:00:00.007Z');
    t.is(scanned.offers[0]?.expiresAt, '2026-11-20T11:00:00.993Z');
    t.deepEqual(scanned.user, await s.getUser(P, 'u1'));

    // The limits read the stored creation instant exactly: a cooldown starting 1 ms
    // before it refuses, one starting at it (not after the offer) allows.
    const refused = await s.createOffers(
      P,
      [offer({ notOfferedSince: '2026-11-20T10:00:00.006Z' })],
      LIMITS,
      NOW,
    );
    t.deepEqual(
      refused.rejected.map((r) => r.reason),
      ['cooldown'],
    );
    const allowed = await s.createOffers(
      P,
      [offer({ notOfferedSince: '2026-11-20T10:00:00.007Z' })],
      LIMITS,
      NOW,
    );
    t.is(allowed.created.length, 1);
  });
}
