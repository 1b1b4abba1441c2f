import test from 'ava';
import fc from 'fast-check';
import { eventTotals } from '../../../src/journeys/domain/profile-aggregates.js';
import { JourneysIndexes, type StoredEvent } from '../../../src/journeys/store/journeys-indexes.js';
import { RUNNING_FROM_EVENTS } from '../../../src/journeys/store/running-event-totals.js';

const P = { appId: 'demo', environment: 'test' as const };
const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00.000Z');

/** Events over 40 days around T0 (some at the same instant), of every kind the totals tell apart. */
const eventArb = fc.record({
  day: fc.integer({ min: -40, max: 40 }),
  ms: fc.constantFrom(0, 1, 3_600_000, 43_200_000),
  category: fc.constantFrom('GAME_PLAY', 'CAMPAIGN', 'POINTS'),
  points: fc.integer({ min: -50, max: 100 }),
  won: fc.boolean(),
  campaignId: fc.option(fc.constantFrom('c1', 'c2', 7), { nil: undefined }),
});

type EventSpec = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

type Op =
  | { kind: 'add'; events: EventSpec[] }
  | { kind: 'remove'; pick: number }
  | { kind: 'read'; day: number; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      events: fc.array(eventArb, { maxLength: 120 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  // Reads mostly later and later, sometimes back in time (a test's clock, a replay's `now`).
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      day: fc.integer({ min: -5, max: 45 }),
      ms: fc.constantFrom(0, 1, 3_600_000, 43_200_000, 43_200_001),
    }),
  },
);

test('a user’s totals read through the index equal eventTotals of their events, whatever was added, taken back and read when', (t) => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
      const ix = new JourneysIndexes([], []);
      let n = 0;
      const added: StoredEvent[] = [];
      // Past the threshold from the start, so that the running totals do the work.
      const seed = Array.from(
        { length: RUNNING_FROM_EVENTS },
        (_, i): EventSpec => ({
          day: -35 + (i % 30),
          ms: 0,
          category: 'GAME_PLAY',
          points: 1,
          won: i % 2 === 0,
          campaignId: undefined,
        }),
      );
      const add = (e: EventSpec) => {
        const event: StoredEvent = {
          ...P,
          id: `e${++n}`,
          externalId: 'u1',
          clientEventId: null,
          category: e.category,
          eventType: 'x',
          points: e.points,
          occurredAt: new Date(T0 + e.day * DAY + e.ms).toISOString(),
          metadata: { won: e.won, ...(e.campaignId === undefined ? {} : { campaignId: e.campaignId }) },
          receivedAt: new Date(T0).toISOString(),
        };
        ix.addEvent(event);
        added.push(event);
      };
      for (const e of seed) add(e);
      for (const op of ops) {
        if (op.kind === 'add') for (const e of op.events) add(e);
        else if (op.kind === 'remove' && added.length > 0) {
          const [e] = added.splice(op.pick % added.length, 1);
          if (e) ix.removeEvent(e);
        } else if (op.kind === 'read') {
          const now = new Date(T0 + op.day * DAY + op.ms);
          const expected = eventTotals(ix.eventsOf(P, 'u1'), now);
          if (JSON.stringify(ix.totalsOf(P, 'u1', now)) !== JSON.stringify(expected)) return false;
        }
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('a user with few events, or none, has the same totals through the index', (t) => {
  const ix = new JourneysIndexes([], []);
  const now = new Date(T0);
  t.deepEqual(ix.totalsOf(P, 'nobody', now), eventTotals([], now));
  const e: StoredEvent = {
    ...P,
    id: 'e1',
    externalId: 'u2',
    clientEventId: null,
    category: 'GAME_PLAY',
    eventType: 'spin',
    points: 5,
    occurredAt: new Date(T0 - DAY).toISOString(),
    metadata: { won: true },
    receivedAt: now.toISOString(),
  };
  ix.addEvent(e);
  t.deepEqual(ix.totalsOf(P, 'u2', now), eventTotals([e], now));
  t.is(ix.totalsOf(P, 'u2', now).plays7d, 1);
});

test('a user’s events come back in occurredAt order, ties in their order of arrival, whatever order they came in', (t) => {
  fc.assert(
    fc.property(fc.array(eventArb, { minLength: 100, maxLength: 300 }), (specs) => {
      const ix = new JourneysIndexes([], []);
      const events = specs.map(
        (e, i): StoredEvent => ({
          ...P,
          id: `e${i}`,
          externalId: 'u3',
          clientEventId: null,
          category: e.category,
          eventType: 'x',
          points: e.points,
          occurredAt: new Date(T0 + e.day * DAY + e.ms).toISOString(),
          metadata: {},
          receivedAt: new Date(T0).toISOString(),
        }),
      );
      for (const e of events) ix.addEvent(e);
      // Array.prototype.sort is stable: equal times keep their order of arrival.
      const expected = [...events].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
      return (
        ix.eventsOf(P, 'u3').every((e, i) => e === expected[i]) &&
        ix.eventsOf(P, 'u3').length === events.length
      );
    }),
    { numRuns: 300 },
  );
  t.pass();
});
