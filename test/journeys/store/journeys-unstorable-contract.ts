import type { TestFn } from 'ava';
import type { NewEvent, Partition } from '../../../src/journeys/domain/journey-types.js';
import { JourneysDocumentStore } from '../../../src/journeys/store/journeys-document-store.js';
import type { JourneysStore } from '../../../src/journeys/store/journeys-store.js';
import type { OpenedJourneysStore } from './journeys-store-contract.js';

const TEST: Partition = { appId: 'demo', environment: 'test' };
const NOW = new Date('2026-11-20T12:00:00.000Z');

let seq = 0;
const id = (): string => `00000000-0000-4000-9000-${String(++seq).padStart(12, '0')}`;

/** An object nested `depth` levels, built without recursion. */
export function nested(depth: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let i = 0; i < depth; i++) {
    const child: Record<string, unknown> = {};
    node.a = child;
    node = child;
  }
  return root;
}

function cyclic(): Record<string, unknown> {
  const o: Record<string, unknown> = { name: 'loop' };
  o.self = o;
  return o;
}

/** Values that have no JSON form: nested far past any stack, a BigInt, a cycle. */
export const UNSTORABLE: readonly [string, () => unknown][] = [
  ['nested 100,000 levels', () => nested(100_000)],
  ['a BigInt', () => ({ n: 10n })],
  ['a cyclic object', cyclic],
];

/** `n` external ids whose records share the document store's shard with `of` (any ids elsewhere). */
function neighbours(store: JourneysStore, of: string, n: number): string[] {
  const shardOf = (id: string) =>
    store instanceof JourneysDocumentStore ? store.shardOf(TEST, id) : undefined;
  const found: string[] = [];
  for (let i = 0; found.length < n; i++) {
    const candidate = `${of}-n${i}`;
    if (shardOf(candidate) === shardOf(of)) found.push(candidate);
  }
  return found;
}

const event = (externalId: string, metadata: unknown = {}): NewEvent => ({
  id: id(),
  externalId,
  clientEventId: null,
  category: 'GAME_PLAY',
  eventType: 'spin',
  points: 10,
  occurredAt: new Date(NOW.getTime() - 60_000).toISOString(),
  metadata: metadata as Record<string, unknown>,
});

/**
 * A write the store cannot serialize fails alone: nothing of it in memory or on disk, and
 * the writes of other users — in the document store, of the same shard — before, during
 * and after it succeed and survive a reopen.
 */
export function journeysUnstorableContract(
  test: TestFn,
  name: string,
  open: () => Promise<OpenedJourneysStore>,
  options: { persistent?: boolean } = {},
): void {
  for (const [what, bad] of UNSTORABLE) {
    test(`journeys store (${name}): a record with ${what} fails alone`, async (t) => {
      const opened = await open();
      let closed = false;
      t.teardown(() => (closed ? undefined : opened.close()));
      const s = opened.store;
      const [before, during, after] = neighbours(s, 'victim', 3) as [string, string, string];

      await s.upsertUser(TEST, { externalId: 'victim', metadata: { level: 1 } }, NOW, id);
      await s.upsertUser(TEST, { externalId: before, displayName: 'Before' }, NOW, id);
      await s.appendEvents(TEST, [event(before)], NOW, id);

      // The bad writes and a neighbour's good writes, all in flight at once.
      const outcomes = await Promise.allSettled([
        s.upsertUser(TEST, { externalId: 'victim', metadata: { deep: bad() } }, NOW, id),
        s.upsertUser(TEST, { externalId: 'stranger', metadata: { deep: bad() } }, NOW, id),
        s.appendEvents(TEST, [event(during), event('victim', { deep: bad() })], NOW, id),
        s.upsertUser(TEST, { externalId: during, displayName: 'During' }, NOW, id),
        s.appendEvents(TEST, [event(before)], NOW, id),
      ]);
      t.deepEqual(
        outcomes.map((o) => o.status),
        ['rejected', 'rejected', 'rejected', 'fulfilled', 'fulfilled'],
      );
      await s.upsertUser(TEST, { externalId: after, displayName: 'After' }, NOW, id);
      await s.appendEvents(TEST, [event(after)], NOW, id);
      await s.upsertUser(TEST, { externalId: 'victim', metadata: { level: 2 } }, NOW, id);

      const check = async (r: typeof s, when: string) => {
        t.deepEqual((await r.getUser(TEST, 'victim'))?.metadata, { level: 2 }, when);
        t.is(await r.getUser(TEST, 'stranger'), null, when);
        t.is((await r.userEvents(TEST, 'victim')).length, 0, when);
        // The batch with the bad event was all or nothing.
        t.is((await r.userEvents(TEST, during)).length, 0, when);
        t.is((await r.getUser(TEST, during))?.displayName, 'During', when);
        t.is((await r.getUser(TEST, before))?.displayName, 'Before', when);
        t.is((await r.userEvents(TEST, before)).length, 2, when);
        t.is((await r.getUser(TEST, after))?.displayName, 'After', when);
        t.is((await r.userEvents(TEST, after)).length, 1, when);
      };
      await check(s, 'in memory');
      if (!options.persistent) return;
      await opened.close();
      closed = true;
      if (!opened.reopen) return t.fail('a persistent adapter needs reopen()');
      const again = await opened.reopen();
      t.teardown(() => again.close());
      await check(again.store, 'after a reopen');
    });
  }
}
