/**
 * A /track batch on the embedded store touches several files per user (users, event logs,
 * assignments), each committed on its own, and its insert ids are written to
 * banner-insert-ids.jsonl only after them. A kill in between kept the events and lost their
 * claims: the SDK's retry of the unanswered batch was stored again (operator kill -9 probe:
 * 26 extra events over 10 runs). These tests stop "the process" at those points — the files
 * as a kill leaves them, no claim written — and retry on a reopened store.
 */
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { BannerDocumentStore } from '../../../src/banner/store/banner-document-store.js';
import type { TrackedEvent } from '../../../src/banner/store/banner-store.js';
import { tempDir } from '../../helpers/temp-dir.js';

const APP = 'app';
const AT = '2026-12-03T10:00:00.000Z';

const event = (userId: string, name: string, value: number | null = null): TrackedEvent => ({
  userId,
  name,
  time: null,
  receivedAt: AT,
  renderId: null,
  experimentId: null,
  variationId: null,
  value,
});

/** Two users, one with an assignment that takes the batch's purchase value. */
async function seeded(dir: string): Promise<BannerDocumentStore> {
  const store = await BannerDocumentStore.open(dir);
  await store.assign(APP, {
    experimentId: 'exp',
    bucketVersion: 1,
    userId: 'u1',
    variationId: 0,
    assignedAt: '2026-12-03T09:00:00.000Z',
  });
  return store;
}

const BATCH = [event('u1', 'AppStart'), event('u1', 'ItemPurchased', 5), event('u2', 'LevelUp')];
const KEYS = ['k-a', 'k-b', 'k-c'];

async function expectOnce(t: import('ava').ExecutionContext, store: BannerDocumentStore): Promise<void> {
  t.is((await store.user(APP, 'u1'))?.events, 2, 'u1 counted once');
  t.is((await store.user(APP, 'u1'))?.purchases, 1);
  t.is((await store.user(APP, 'u2'))?.events, 1, 'u2 counted once');
  t.deepEqual(
    (await store.recentEvents(APP, 'u1')).map((e) => e.name),
    ['AppStart', 'ItemPurchased'],
  );
  t.deepEqual(
    (await store.recentEvents(APP, 'u2')).map((e) => e.name),
    ['LevelUp'],
  );
  const [tally] = await store.tallies(APP, 'exp', 1, 'ItemPurchased');
  t.is(tally?.revenue?.sum, 5, 'the value added to the assignment once');
}

test('a batch stored whose claims a kill lost: the retry with the same insert keys stores nothing twice', async (t) => {
  const dir = await tempDir(t);
  const first = await seeded(dir);
  await first.track(APP, BATCH, KEYS);
  // Killed here: the events are on disk, the claims were never written. No flush, no close.
  const reopened = await BannerDocumentStore.open(dir);
  await reopened.track(APP, BATCH, KEYS);
  await expectOnce(t, reopened);
  await reopened.flush();
  await expectOnce(t, await BannerDocumentStore.open(dir));
});

test('a kill between the files of one batch: the retry stores what is missing, once', async (t) => {
  const dir = await tempDir(t);
  const first = await seeded(dir);
  await first.flush();
  const before = path.join(await tempDir(t), 'before');
  await mkdir(before);
  const reverted = /^banner-(events|assignments)-\d+\.json$/;
  const names = (await readdir(dir)).filter((n) => reverted.test(n));
  for (const n of names) await copyFile(path.join(dir, n), path.join(before, n));
  await first.track(APP, BATCH, KEYS);
  // As if the kill came after the users' shards were written and before the event logs'
  // and assignments' were: those files as they were before the batch (or not there).
  for (const n of (await readdir(dir)).filter((f) => reverted.test(f))) {
    if (names.includes(n)) await copyFile(path.join(before, n), path.join(dir, n));
    else await rm(path.join(dir, n));
  }
  const reopened = await BannerDocumentStore.open(dir);
  t.is((await reopened.user(APP, 'u1'))?.events, 2, 'the users file has the batch');
  t.deepEqual(await reopened.recentEvents(APP, 'u1'), [], 'the event log has not');
  await reopened.track(APP, BATCH, KEYS);
  await expectOnce(t, reopened);
});

test('once the claims are durable the keys are released: the files no longer hold them', async (t) => {
  const dir = await tempDir(t);
  const store = await seeded(dir);
  await store.track(APP, BATCH, KEYS);
  const held = async () => {
    let text = '';
    for (const n of await readdir(dir))
      if (n.endsWith('.json')) text += await readFile(path.join(dir, n), 'utf8');
    return KEYS.filter((k) => text.includes(`"${k}"`));
  };
  t.deepEqual(await held(), KEYS, 'written with the events');
  store.settleInsertKeys(APP, BATCH, KEYS);
  // The next write of each file carries the release.
  await store.track(APP, [event('u1', 'x', 1), event('u2', 'x')]);
  await store.flush();
  t.deepEqual(await held(), []);
  // Without keys a batch sent twice counts twice, as before (nothing to tell them apart).
  await store.track(APP, [event('u2', 'y')]);
  await store.track(APP, [event('u2', 'y')]);
  t.is((await store.user(APP, 'u2'))?.events, 4);
});
