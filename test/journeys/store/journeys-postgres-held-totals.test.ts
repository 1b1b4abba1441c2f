import test from 'ava';
import fc from 'fast-check';
import { openPostgresStore } from '../../../src/apis.js';
import type { NewEvent } from '../../../src/journeys/domain/journey-types.js';
import { DAY_MS, eventTotals, windowStarts } from '../../../src/journeys/domain/profile-aggregates.js';
import { USER_EVENT_TOTALS, windowParams } from '../../../src/journeys/store/journeys-postgres-totals.js';
import { RUNNING_FROM_EVENTS } from '../../../src/journeys/store/running-event-totals.js';
import { usePostgres } from '../../helpers/postgres-server.js';

const server = usePostgres(test);
const P = { appId: 'demo', environment: 'test' as const };
const NOW = Date.parse('2026-11-20T12:00:00.000Z');
let n = 0;
const newId = (): string => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

/** `count` plays of `user`, `ageMs` old and one second apart going back, with points. */
const plays = (user: string, count: number, ageMs: number): NewEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    id: newId(),
    externalId: user,
    clientEventId: null,
    category: i % 5 === 0 ? 'CAMPAIGN' : 'GAME_PLAY',
    eventType: 'spin',
    points: (i % 7) - 1,
    occurredAt: new Date(NOW - ageMs - i * 1000).toISOString(),
    metadata: { won: i % 3 === 0, campaignId: `c${i % 4}` },
  }));

/** Two instances on one database, as two offerd processes. */
async function twoInstances(name: string) {
  const url = await server().freshDatabase(name);
  const a = await openPostgresStore(url, { max: 4 });
  const b = await openPostgresStore(url, { max: 4 });
  return { a, b, close: () => Promise.all([a.close(), b.close()]) };
}

// A heavy user's totals are held by the instance that summed them (HeldEventTotals) and used
// only while still true: a differential test against eventTotals of every stored event, with
// appends through either instance and a clock that goes forward across the windows' edges
// and sometimes back.
test('a heavy user’s totals read through either instance are eventTotals of the stored events, whatever was appended where and whatever the clock', async (t) => {
  const { a, b, close } = await twoInstances('held_totals');
  t.teardown(close);
  let users = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.oneof(
          fc.record({
            kind: fc.constant('append' as const),
            via: fc.constantFrom('a', 'b'),
            count: fc.integer({ min: 1, max: 40 }),
            ageMs: fc.oneof(
              fc.integer({ min: -DAY_MS, max: 40 * DAY_MS }),
              fc.constantFrom(7 * DAY_MS, 30 * DAY_MS),
            ),
          }),
          fc.record({
            kind: fc.constant('read' as const),
            via: fc.constantFrom('a', 'b'),
            // Mostly forward from the last read, across the edges; sometimes back.
            stepMs: fc.oneof(
              fc.integer({ min: 0, max: 3 * DAY_MS }),
              fc.constantFrom(1, 1000, 7 * DAY_MS),
              fc.integer({ min: -2 * DAY_MS, max: 0 }),
            ),
          }),
        ),
        { minLength: 1, maxLength: 14 },
      ),
      async (steps) => {
        const user = `heavy-${++users}`;
        const stored: NewEvent[] = plays(user, RUNNING_FROM_EVENTS + 10, 6 * DAY_MS);
        await a.journeys.appendEvents(P, stored, new Date(NOW), newId);
        let clock = NOW;
        for (const step of steps) {
          const store = step.via === 'a' ? a : b;
          if (step.kind === 'append') {
            const more = plays(user, step.count, step.ageMs);
            await store.journeys.appendEvents(P, more, new Date(clock), newId);
            stored.push(...more);
          } else {
            clock += step.stepMs;
            const read = await store.journeys.eventTotals(P, user, new Date(clock));
            t.deepEqual(
              read,
              eventTotals(stored, new Date(clock)),
              `${user} via ${step.via} at ${new Date(clock).toISOString()}`,
            );
          }
        }
      },
    ),
    { numRuns: 25 },
  );
});

test('while the held totals are still true the database reads the user’s row, not their events', async (t) => {
  const { a, close } = await twoInstances('held_totals_plan');
  t.teardown(close);
  await a.journeys.appendEvents(P, plays('heavy', 2_000, DAY_MS), new Date(NOW), newId);
  const { rows } = await a.pool.query(
    "SELECT events_version::text AS v FROM journeys_users WHERE external_id = 'heavy'",
  );
  const version = String(rows[0].v);
  const scannedEvents = async (held: string | null) => {
    const values = ['demo', 'test', 'heavy', ...windowParams(windowStarts(new Date(NOW))), held];
    const plan = await a.pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${USER_EVENT_TOTALS}`, values);
    const rowsOf = (node: Record<string, unknown>): number =>
      (String(node['Relation Name'] ?? '') === 'journeys_events' ? Number(node['Actual Rows']) : 0) +
      ((node.Plans as Record<string, unknown>[] | undefined) ?? []).reduce((s, c) => s + rowsOf(c), 0);
    return rowsOf(plan.rows[0]['QUERY PLAN'][0].Plan);
  };
  t.is(await scannedEvents(null), 2_000, 'nothing held: every event is summed');
  t.is(await scannedEvents(version), 0, 'the stored version held: no event is read');
  t.is(await scannedEvents(String(BigInt(version) - 1n)), 2_000, 'an older version held: summed again');
});
