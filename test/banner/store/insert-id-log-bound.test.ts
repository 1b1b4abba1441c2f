/**
 * What the lowdb insert-id log holds when one client sends unique ids as fast as it can
 * (a hostile client's probe: 100,000 ids raised the heap by 96 MB, for good): at most a
 * bound per app, the newest kept, so a retry still finds its ids; and an id costs its own
 * characters, not twice them.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import test from 'ava';
import { InsertIdLog } from '../../../src/banner/store/insert-id-log.js';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'offerd-ids-bound-'));
const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => `id-${from + i}`);
const heldOf = (log: InsertIdLog, appId: string) => log.records().filter((r) => r.appId === appId).length;

test('one client sending unique ids holds at most the bound per app; the newest still de-duplicate, after a restart too', async (t) => {
  const dir = tempDir();
  const at = new Date();
  const log = await InsertIdLog.open(dir, [], 100);
  await log.claim('other', ['kept'], at);
  for (let i = 0; i < 1000; i += 50) await log.claim('app', batch(i, 50), at);
  t.is(heldOf(log, 'app'), 100, '1,000 ids sent, the bound held');
  t.is(
    (await log.claim('app', batch(900, 100), at)).size,
    0,
    'a retry of the newest 100 stores nothing twice',
  );
  t.is(heldOf(log, 'other'), 1, "another app's ids are its own");
  const reopened = await InsertIdLog.open(dir, [], 100);
  t.is(heldOf(reopened, 'app'), 100, 'the file replays to the bound');
  t.is((await reopened.claim('app', batch(900, 100), at)).size, 0, 'the newest are still remembered');
  t.is((await reopened.claim('other', ['kept'], at)).size, 0);
  // Beyond the bound an id is forgotten, as an expired one: its retry counts again.
  t.deepEqual([...(await reopened.claim('app', ['id-0'], at))], ['id-0']);
});

test('an id costs its own characters, not twice them, when the app id is a two-byte string', async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const used = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  // The config's app ids are two-byte strings whenever its file holds a character past
  // Latin-1 (the shipped one does): a slice of such a text is one too.
  const appId = 'demo\u2014'.slice(0, 4);
  const log = await InsertIdLog.open(null);
  const ids = 20_000;
  const before = used();
  for (let i = 0; i < ids; i += 50) {
    const idsOf = Array.from({ length: 50 }, (_, j) => `${String(i + j).padStart(9, '0')}${'x'.repeat(246)}`);
    await log.claim(appId, idsOf, new Date());
  }
  const perId = (used() - before) / ids;
  t.is(heldOf(log, appId), ids);
  t.log(`${Math.round(perId)} bytes an id of 255 characters`);
  // 255 characters: ~310 bytes as measured, ~600 with a key joined to the two-byte app id.
  t.true(perId < 420, `${Math.round(perId)} bytes an id`);
});
