/**
 * A render serves the variation of the user's stored assignment without writing anything,
 * so the assignment it reads must already be on disk: a concurrent render's assignment read
 * from memory while its write was in flight was served, and a kill -9 before that write
 * lost an assignment a response had acknowledged (crash suite). Each test reads while a
 * write is in flight, then opens a second store on the same files — what a restart after a
 * kill at that instant would read — and requires it to hold what the read showed.
 */
import test from 'ava';
import { BannerDocumentStore } from '../../../src/banner/store/banner-document-store.js';
import type { Assignment } from '../../../src/banner/store/banner-store.js';
import { filesAtKill } from '../../helpers/files-at-kill.js';
import { tempDir } from '../../helpers/temp-dir.js';

const APP = 'app';

const proposal = (userId: string, experimentId = 'exp'): Assignment => ({
  experimentId,
  bucketVersion: 1,
  userId,
  variationId: 1,
  assignedAt: '2026-12-06T03:00:00.000Z',
});

/** The user's assignments a store restarted on `files` reads. */
const afterRestart = async (files: string, userId: string): Promise<string[]> => {
  const restarted = await BannerDocumentStore.open(files);
  return (await restarted.assignments(APP, userId)).map((a) => `${a.experimentId}/${a.variationId}`);
};

test('a visitor read during an assignment write shows it only once it is on disk', async (t) => {
  const dir = await tempDir(t);
  const spare = await tempDir(t);
  const store = await BannerDocumentStore.open(dir);
  const assigning = store.assign(APP, proposal('u1'));
  const { assignments } = await store.visitor(APP, 'u1');
  const files = filesAtKill(dir, spare);
  const shown = assignments.map((a) => `${a.experimentId}/${a.variationId}`);
  t.deepEqual(shown, ['exp/1'], 'the read shows the assignment');
  t.deepEqual(await afterRestart(files, 'u1'), shown, 'and a kill at that instant keeps it');
  await assigning;
});

test('several assignments of one user in flight: a read waits for the last', async (t) => {
  const dir = await tempDir(t);
  const spare = await tempDir(t);
  const store = await BannerDocumentStore.open(dir);
  const first = store.assign(APP, proposal('u1', 'a'));
  await new Promise((resolve) => setImmediate(resolve));
  const second = store.assign(APP, proposal('u1', 'b'));
  const shown = (await store.assignments(APP, 'u1')).map((a) => a.experimentId).sort();
  const files = filesAtKill(dir, spare);
  t.deepEqual(shown, ['a', 'b']);
  t.deepEqual((await afterRestart(files, 'u1')).sort(), ['a/1', 'b/1']);
  await Promise.all([first, second]);
});

test('a sign-in moving assignments: reads of both ids wait for the move to be written', async (t) => {
  const dir = await tempDir(t);
  const spare = await tempDir(t);
  const store = await BannerDocumentStore.open(dir);
  await store.assign(APP, proposal('anon'));
  const adopting = store.adopt(APP, 'anon', 'player');
  const shown = (await store.assignments(APP, 'player')).map((a) => `${a.experimentId}/${a.variationId}`);
  const files = filesAtKill(dir, spare);
  t.deepEqual(shown, ['exp/1']);
  t.deepEqual(
    await afterRestart(files, 'player'),
    shown,
    'a restart finds the moved assignment under the player',
  );
  t.deepEqual(await afterRestart(files, 'anon'), [], 'and no longer under the id it came from');
  t.deepEqual(await store.assignments(APP, 'anon'), []);
  await adopting;
});

test("a retried sign-in is answered once the first try's merge is on disk", async (t) => {
  const dir = await tempDir(t);
  const spare = await tempDir(t);
  const store = await BannerDocumentStore.open(dir);
  await store.assign(APP, proposal('anon'));
  const first = store.adopt(APP, 'anon', 'player');
  // The retry finds the merge done in memory, nothing left to move.
  await store.adopt(APP, 'anon', 'player');
  const files = filesAtKill(dir, spare);
  t.deepEqual(await afterRestart(files, 'player'), ['exp/1']);
  await first;
});

test('an experiment end recorded by another snapshot is on disk before a second record resolves', async (t) => {
  const dir = await tempDir(t);
  const spare = await tempDir(t);
  const store = await BannerDocumentStore.open(dir);
  const ended = [{ experimentId: 'exp', bucketVersion: 1 }];
  const at = new Date('2026-12-06T03:00:00.000Z');
  const first = store.endVersions(APP, ended, at);
  await store.endVersions(APP, ended, at);
  const files = filesAtKill(dir, spare);
  await first;
  const restarted = await BannerDocumentStore.open(files);
  await restarted.assign(APP, proposal('u1'));
  await restarted.track(APP, [
    {
      userId: 'u1',
      name: 'Buy',
      time: null,
      receivedAt: '2026-12-06T04:00:00.000Z',
      renderId: null,
      experimentId: null,
      variationId: null,
      value: 5,
    },
  ]);
  const [tally] = await restarted.tallies(APP, 'exp', 1, 'Buy');
  t.is(tally?.revenue?.sum ?? 0, 0, 'an event after the end counts in no arm: the end was kept');
});

test('the users nobody is writing for are read at once', async (t) => {
  const dir = await tempDir(t);
  const store = await BannerDocumentStore.open(dir);
  await store.assign(APP, proposal('u1'));
  const assigning = store.assign(APP, proposal('u2'));
  // u1's read does not wait on u2's write: it is answered before that write completes.
  let u2Written = false;
  void assigning.then(() => {
    u2Written = true;
  });
  t.is((await store.assignments(APP, 'u1')).length, 1);
  t.false(u2Written);
  await assigning;
});
