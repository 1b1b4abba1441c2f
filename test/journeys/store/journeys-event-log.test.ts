import { appendFile, mkdir, readdir, readFile, rename, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { NewEvent, Partition } from '../../../src/journeys/domain/journey-types.js';
import {
  JOURNEYS_SHARDS,
  JourneysDocumentStore,
} from '../../../src/journeys/store/journeys-document-store.js';
import { userKey } from '../../../src/journeys/store/journeys-indexes.js';
import { bareUser } from '../../../src/journeys/store/journeys-stored-records.js';
import { failDisk } from '../../helpers/fail-disk.js';
import { fnv1aShard } from '../../helpers/fnv1a-shard.js';
import { tempDir } from '../../helpers/temp-dir.js';

const P: Partition = { appId: 'demo', environment: 'test' };
const NOW = new Date('2026-11-20T12:00:00.000Z');
const LOG = 'journeys-events.jsonl';
let seq = 0;
const id = (): string => `00000000-0000-4000-b000-${String(++seq).padStart(12, '0')}`;

const event = (externalId: string, over: Partial<NewEvent> = {}): NewEvent => ({
  id: id(),
  externalId,
  clientEventId: null,
  category: 'GAME_PLAY',
  eventType: 'spin',
  points: 10,
  occurredAt: new Date(NOW.getTime() - 60_000).toISOString(),
  metadata: { won: false },
  ...over,
});

async function open(dir: string) {
  const store = await JourneysDocumentStore.open(dir);
  const close = () => Promise.all([...store.files.map((f) => f.flush()), store.eventLog.flush()]);
  return { store, close };
}

/** Each shard file, with its inode (a rewrite replaces the file) and size. */
async function shardFiles(dir: string) {
  const names = (await readdir(dir)).filter((n) => /^journeys-\d+\.json$/.test(n));
  return new Map(
    await Promise.all(
      names.map(async (n) => {
        const s = await stat(path.join(dir, n));
        return [n, { ino: s.ino, size: s.size }] as const;
      }),
    ),
  );
}

async function shardEvents(dir: string): Promise<number> {
  let n = 0;
  for (const name of (await readdir(dir)).filter((f) => /^journeys-\d+\.json$/.test(f))) {
    n += (JSON.parse(await readFile(path.join(dir, name), 'utf8')) as { events: unknown[] }).events.length;
  }
  return n;
}

/** A store with `users` users, each with two events. */
async function seeded(t: ExecutionContext, users: number) {
  const dir = await tempDir(t, 'offerd-journeys-log-');
  const { store, close } = await open(dir);
  for (let i = 0; i < users; i++) {
    await store.upsertUser(P, { externalId: `u${i}`, displayName: `User ${i}` }, NOW, id);
    await store.appendEvents(P, [event(`u${i}`), event(`u${i}`)], NOW, id);
  }
  return { dir, store, close };
}

test('an event of a known user appends under 1 KB to the log and rewrites no shard', async (t) => {
  const { dir, store, close } = await seeded(t, 64);
  t.teardown(close);
  const shards = await shardFiles(dir);
  const log = await stat(path.join(dir, LOG));
  const [result] = await store.appendEvents(P, [event('u5', { clientEventId: 'c-1' })], NOW, id);
  t.false(result?.duplicate);
  const after = await shardFiles(dir);
  t.deepEqual(after, shards, 'no shard file replaced or changed');
  const grown = await stat(path.join(dir, LOG));
  t.is(grown.ino, log.ino, 'appended in place');
  t.true(
    grown.size - log.size > 0 && grown.size - log.size < 1024,
    `${grown.size - log.size} bytes appended`,
  );
  t.is((await store.userEvents(P, 'u5')).length, 3);
});

test('every acknowledged event is there after a reopen, new users included', async (t) => {
  const { dir, store, close } = await seeded(t, 10);
  // Concurrent calls: shared log writes, some creating their user, one with two users.
  const calls = Array.from({ length: 60 }, (_, i) =>
    store.appendEvents(P, [event(`u${i % 20}`, { clientEventId: `c${i}` }), event(`n${i % 7}`)], NOW, id),
  );
  const acknowledged = (await Promise.all(calls)).flat().map((r) => r.event);
  await close();
  const again = await open(dir);
  t.teardown(again.close);
  for (const e of acknowledged) {
    t.true(
      (await again.store.userEvents(P, e.externalId)).some((s) => s.id === e.id),
      `${e.id} of ${e.externalId}`,
    );
    t.truthy(await again.store.getUser(P, e.externalId));
  }
  t.is((await again.store.userEvents(P, 'u3')).length, 2 + 3);
  t.is(await shardEvents(dir), 0, 'no event kept in a shard');
});

test('a line torn by a crash is skipped and the next event is not lost', async (t) => {
  const { dir, store, close } = await seeded(t, 3);
  await close();
  const log = path.join(dir, LOG);
  t.true((await readFile(log, 'utf8')).includes((await store.userEvents(P, 'u1'))[0]?.id ?? '?'));
  await appendFile(log, '[{"id":"torn","externalId":"u1","clie');
  const reopened = await open(dir);
  t.is((await reopened.store.userEvents(P, 'u1')).length, 2);
  const [next] = await reopened.store.appendEvents(P, [event('u1')], NOW, id);
  await reopened.close();
  const again = await open(dir);
  t.teardown(again.close);
  t.deepEqual(
    (await again.store.userEvents(P, 'u1')).map((e) => e.id),
    [...(await store.userEvents(P, 'u1')).map((e) => e.id), next?.event.id],
  );
});

test('a failed log write rejects the call and keeps none of its events; later events persist', async (t) => {
  const { dir, store, close } = await seeded(t, 3);
  t.teardown(close);
  const log = path.join(dir, LOG);
  // The log's name taken by a directory: the append fails, root or not.
  await rename(log, `${log}.away`);
  await mkdir(log);
  const outcomes = await Promise.allSettled([
    store.appendEvents(P, [event('u0', { clientEventId: 'lost' }), event('u1')], NOW, id),
    // The same user's retry while the first is still being written (an id is per user).
    store.appendEvents(P, [event('u0', { clientEventId: 'lost' })], NOW, id),
  ]);
  t.deepEqual(
    outcomes.map((o) => o.status),
    ['rejected', 'rejected'],
    'the duplicate is not acknowledged for an event that was not stored',
  );
  for (const u of ['u0', 'u1', 'u2']) t.is((await store.userEvents(P, u)).length, 2, u);
  await rmdir(log);
  await rename(`${log}.away`, log);
  const [retry] = await store.appendEvents(P, [event('u0', { clientEventId: 'lost' })], NOW, id);
  t.false(retry?.duplicate, 'the client event id is free again');
  await close();
  const again = await open(dir);
  t.teardown(again.close);
  t.is((await again.store.userEvents(P, 'u0')).length, 3);
  t.is((await again.store.userEvents(P, 'u1')).length, 2);
});

test.serial(
  'an event is never written before its new user: a failed user write keeps it out of the log',
  async (t) => {
    const { dir, store, close } = await seeded(t, 2);
    t.teardown(close);
    const log = path.join(dir, LOG);
    const before = await readFile(log, 'utf8');
    // Shard rewrites (a temp file) fail, appends to the log would not.
    const diskBack = await failDisk(t, dir);
    const outcomes = await Promise.allSettled([
      store.appendEvents(P, [event('neo', { clientEventId: 'first' })], NOW, id),
      // The user is in memory already, its shard write under way: this waits for it.
      store.appendEvents(P, [event('neo')], NOW, id),
      // A retry of neo's first event, still being written: not acknowledged as a duplicate.
      store.appendEvents(P, [event('neo', { clientEventId: 'first' })], NOW, id),
    ]);
    t.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'rejected', 'rejected'],
    );
    t.is(await readFile(log, 'utf8'), before, 'nothing appended');
    t.is(await store.getUser(P, 'neo'), null);
    t.deepEqual(await store.userEvents(P, 'neo'), []);
    await diskBack();
    await store.appendEvents(P, [event('neo', { clientEventId: 'first' })], NOW, id);
    await close();
    const again = await open(dir);
    t.teardown(again.close);
    t.truthy(await again.store.getUser(P, 'neo'));
    t.is((await again.store.userEvents(P, 'neo')).length, 1);
  },
);

/** A shard document as earlier versions wrote it: users with their events inside. */
const user = (externalId: string) => bareUser(P, externalId, NOW.toISOString(), `id-${externalId}`);
const storedEvent = (externalId: string, n: number) => ({
  ...event(externalId, { id: `e-${externalId}-${n}`, clientEventId: `c-${externalId}-${n}` }),
  receivedAt: NOW.toISOString(),
  ...P,
});

/** A data dir with the users' events in the shards; returns it and the events in the order a move writes them. */
async function storeWithEventsInShards(t: ExecutionContext, users: string[]) {
  const dir = await tempDir(t, 'offerd-journeys-legacy-');
  const shards = Array.from({ length: JOURNEYS_SHARDS }, () => ({
    users: [] as unknown[],
    events: [] as unknown[],
    offers: [],
  }));
  for (const u of users) {
    // Where an earlier version put them (before the shard key): this open moves them too.
    const shard = shards[fnv1aShard(userKey(P, u), JOURNEYS_SHARDS)];
    shard?.users.push(user(u));
    shard?.events.push(storedEvent(u, 0), storedEvent(u, 1));
  }
  for (const [i, s] of shards.entries()) {
    await writeFile(path.join(dir, `journeys-${String(i).padStart(2, '0')}.json`), JSON.stringify(s));
  }
  return { dir, moved: shards.flatMap((s) => s.events) };
}

test('events kept in the shards by earlier versions move to the log; a move cut short is not doubled', async (t) => {
  const users = Array.from({ length: 40 }, (_, i) => `u${i}`);
  const { dir, moved } = await storeWithEventsInShards(t, users);
  // As a crash during the move leaves it: the first lines in the log, a torn one after
  // them, every event still in the shards.
  await writeFile(path.join(dir, LOG), `${JSON.stringify(moved.slice(0, 15))}\n[{"id":"e-`);
  const expect = async (s: JourneysDocumentStore, when: string) => {
    for (const u of users) {
      t.deepEqual(
        (await s.userEvents(P, u)).map((e) => e.id),
        [`e-${u}-0`, `e-${u}-1`],
        `${u} ${when}`,
      );
    }
    t.true((await s.appendEvents(P, [event('u7', { clientEventId: 'c-u7-1' })], NOW, id))[0]?.duplicate);
  };
  const { store, close } = await open(dir);
  await expect(store, 'after the move');
  await close();
  t.is(await shardEvents(dir), 0, 'the shards were rewritten without them');
  const lines = (await readFile(path.join(dir, LOG), 'utf8')).trimEnd().split('\n');
  t.is(lines.flatMap((l) => JSON.parse(l) as unknown[]).length, users.length * 2);
  const again = await open(dir);
  t.teardown(again.close);
  await expect(again.store, 'after a reopen');
});

test('a claim writes its event with the offer in one shard write; the next open moves it to the log', async (t) => {
  const { dir, store, close } = await seeded(t, 2);
  const limits = { maxActiveOffers: 3, maxActivePerType: 1, inactivityDays: 60 };
  const offer = {
    id: 'o-1',
    externalId: 'u1',
    offerType: 'welcome_bonus',
    gameType: null,
    title: 'Welcome',
    description: 'Hi',
    pointsValue: 50,
    createdAt: NOW.toISOString(),
    expiresAt: '2099-01-01T00:00:00.000Z',
    metadata: {},
    notOfferedSince: null,
  };
  await store.createOffers(P, [offer], limits, NOW);
  const log = await stat(path.join(dir, LOG));
  const claimed = await store.claimOffer(P, 'u1', 'o-1', NOW, () =>
    event('u1', { eventType: 'offer_claimed' }),
  );
  t.true(claimed.ok);
  t.is((await stat(path.join(dir, LOG))).size, log.size, 'the claim did not touch the log');
  t.is(await shardEvents(dir), 1);
  await close();
  for (let i = 0; i < 2; i++) {
    const again = await open(dir);
    t.is((await again.store.userEvents(P, 'u1')).length, 3);
    t.is((await again.store.userOffers(P, 'u1'))[0]?.status, 'claimed');
    await again.close();
    t.is(await shardEvents(dir), 0);
  }
});
