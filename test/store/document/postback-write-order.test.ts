/**
 * A postback is two writes on the embedded store: its transaction, then its progress. Each
 * failure between or of them must leave what its answer says: a refused postback (503)
 * changed nothing a retry can see, and a transaction on disk is never without its progress
 * once its retry came (kill -9 probe: a 503 left the event completed, its retry answered as a
 * duplicate; a kill -9 between the writes left the transaction id free for another user).
 * Renames are what fail: every shard is written to a temp file, then renamed over.
 */
import test from 'ava';
import { openDocumentStore } from '../../../src/apis.js';
import type { EventRecord } from '../../../src/offerwall/store/offerwall-store.js';
import { replaceFsFunction } from '../../helpers/fail-disk.js';
import { tempDir } from '../../helpers/temp-dir.js';

const postback = (transactionId: string, uid = 'ada'): EventRecord => ({
  appId: 'demo',
  wallId: 1001,
  uid,
  offerId: 7,
  category: 'games',
  offerType: 1,
  eventId: 'base',
  transactionId,
  final: true,
  at: '2026-11-20T12:00:00.000Z',
});

/** Renames into files whose name holds one of `failing` fail, as on a full disk. */
function failRenames(t: import('ava').ExecutionContext, failing: Set<string>): void {
  replaceFsFunction(t, 'rename', (rename) => async (from, to) => {
    if ([...failing].some((name) => String(to).includes(name)))
      throw Object.assign(new Error('ENOSPC: no space left on device, rename'), { code: 'ENOSPC' });
    return rename(from, to);
  });
}

test.serial(
  'a postback whose transaction cannot be written changed nothing: its retry is recorded, also after a restart',
  async (t) => {
    const dir = await tempDir(t);
    const failing = new Set(['offerwall-transactions']);
    failRenames(t, failing);
    let store = await openDocumentStore(dir);
    await t.throwsAsync(store.offerwall.recordEvent(postback('tx-1')), { message: /ENOSPC/ });
    t.deepEqual(await store.offerwall.progressOf('demo', 'ada'), [], 'no progress in memory');
    await store.close().catch(() => undefined);
    failing.clear();
    store = await openDocumentStore(dir);
    t.teardown(() => store.close());
    t.deepEqual(await store.offerwall.progressOf('demo', 'ada'), [], 'none on disk');
    const retry = await store.offerwall.recordEvent(postback('tx-1'));
    t.is(retry.result, 'recorded');
    t.deepEqual(retry.progress?.completedEvents, ['base']);
  },
);

test.serial(
  'a postback whose progress cannot be written takes its transaction back: the retry is recorded, and another user cannot take the id',
  async (t) => {
    const dir = await tempDir(t);
    const failing = new Set(['offerwall-progress']);
    failRenames(t, failing);
    const store = await openDocumentStore(dir);
    t.teardown(() => store.close());
    await t.throwsAsync(store.offerwall.recordEvent(postback('tx-2')), { message: /ENOSPC/ });
    t.deepEqual(await store.offerwall.progressOf('demo', 'ada'), []);
    t.is(await store.offerwall.recordedTransaction('demo', 'tx-2'), null, 'the transaction was taken back');
    failing.clear();
    t.is((await store.offerwall.recordEvent(postback('tx-2'))).result, 'recorded');
    t.like(await store.offerwall.recordEvent(postback('tx-2', 'mallory')), {
      result: 'duplicate',
      first: { uid: 'ada' },
    });
  },
);

test.serial(
  'a transaction left on disk without its progress (a crash between the writes) has its progress completed by its retry',
  async (t) => {
    const dir = await tempDir(t);
    // The progress write fails, and so does taking the transaction back: the transaction is on
    // disk alone, as a kill -9 between the two writes leaves it.
    const failing = new Set(['offerwall-progress']);
    replaceFsFunction(t, 'rename', (rename) => async (from, to) => {
      if ([...failing].some((name) => String(to).includes(name))) {
        failing.add('offerwall-transactions');
        throw Object.assign(new Error('ENOSPC: no space left on device, rename'), { code: 'ENOSPC' });
      }
      return rename(from, to);
    });
    let store = await openDocumentStore(dir);
    await t.throwsAsync(store.offerwall.recordEvent(postback('tx-3')), { message: /ENOSPC/ });
    await store.close().catch(() => undefined);
    failing.clear();
    store = await openDocumentStore(dir);
    t.teardown(() => store.close());
    t.deepEqual(await store.offerwall.progressOf('demo', 'ada'), [], 'the progress was lost');
    t.truthy(await store.offerwall.recordedTransaction('demo', 'tx-3'), 'the transaction was kept');
    const retry = await store.offerwall.recordEvent(postback('tx-3'));
    t.is(retry.result, 'duplicate');
    t.deepEqual(
      (await store.offerwall.progressOf('demo', 'ada')).map((p) => [p.completedEvents, p.status]),
      [[['base'], 'completed']],
    );
    t.like(await store.offerwall.recordEvent(postback('tx-3', 'mallory')), { first: { uid: 'ada' } });
  },
);
