/**
 * The lowdb insert-id log and profile shards when the disk fails mid-write or the process
 * dies mid-move: faults injected into node:fs/promises (this file runs in its own process).
 * An acknowledged claim must survive a restart; a rejected one must not come back.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';

type Open = (file: string, flags: string, ...rest: unknown[]) => Promise<FileHandleLike>;
interface FileHandleLike {
  write(text: string): Promise<unknown>;
}
const require = createRequire(import.meta.url);
const fsp = require('node:fs').promises as { open: Open; rename: (a: string, b: string) => Promise<void> };
const realOpen = fsp.open;
const realRename = fsp.rename;
/** The next fault, consumed by the first call it matches. */
let fault: ((file: string, flags: string) => 'half-append' | 'fail' | null) | null = null;
let hangRenameTo = '';
fsp.open = async (file, flags, ...rest) => {
  const kind = fault?.(String(file), flags) ?? null;
  if (kind !== null) fault = null;
  if (kind === 'fail') throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  const handle = await realOpen(file, flags, ...rest);
  if (kind !== 'half-append') return handle;
  return new Proxy(handle as object, {
    get(target, prop) {
      if (prop === 'writeFile') {
        return async (text: string) => {
          // The disk fills half-way through the line.
          await (target as FileHandleLike).write(text.slice(0, Math.floor(text.length / 2)));
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as FileHandleLike;
};
fsp.rename = (from, to) => (to === hangRenameTo ? new Promise(() => {}) : realRename(from, to));
syncBuiltinESMExports();

const { InsertIdLog } = await import('../../../src/banner/store/insert-id-log.js');
const { ProfileDocumentStore } = await import('../../../src/banner/store/profile-document-store.js');
const { ShardKey } = await import('../../../src/store/document/shard-key.js');

const tempDir = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), prefix));
const LOG = 'banner-insert-ids.jsonl';

test.serial('an append that fails half-way does not take the next acknowledged claim with it', async (t) => {
  const dir = tempDir('offerd-ids-half-');
  const at = new Date();
  const log = await InsertIdLog.open(dir);
  await log.claim('app', ['a0'], at);
  fault = (file, flags) => (file.endsWith(LOG) && flags === 'a' ? 'half-append' : null);
  await t.throwsAsync(log.claim('app', ['a1'], at));
  t.deepEqual([...(await log.claim('app', ['b1'], at))], ['b1']);
  const reopened = await InsertIdLog.open(dir);
  t.is((await reopened.claim('app', ['a0', 'b1'], at)).size, 0, 'both acknowledged claims are remembered');
  t.deepEqual([...(await reopened.claim('app', ['a1'], at))], ['a1'], 'the rejected one is not');
});

test.serial('a claim whose write failed is not put on disk by the rewrite after it', async (t) => {
  const dir = tempDir('offerd-ids-rewrite-');
  const at = new Date();
  // Enough lines that the next write is a rewrite (temp file + rename).
  const old = Array.from(
    { length: 10_001 },
    (_, i) => `${JSON.stringify(['c', 'app', `old-${i}`, at.getTime()])}\n`,
  );
  writeFileSync(path.join(dir, LOG), old.join(''));
  const log = await InsertIdLog.open(dir);
  fault = (file) => (file.endsWith('.tmp') ? 'fail' : null);
  const a = log.claim('app', ['A'], at);
  const b = log.claim('app', ['B'], at);
  await t.throwsAsync(a);
  t.deepEqual([...(await b)], ['B']);
  t.false(readFileSync(path.join(dir, LOG), 'utf8').includes('"A"'));
  const restarted = await InsertIdLog.open(dir);
  t.deepEqual(
    [...(await restarted.claim('app', ['A', 'B'], at))],
    ['A'],
    'the retry of A is stored, B stays claimed',
  );
});

test.serial(
  'a profile moved to the shard its key picks survives a kill -9 in the middle of the move',
  async (t) => {
    const dir = tempDir('offerd-rehome-');
    const store = await ProfileDocumentStore.open(dir);
    await store.update('app', [{ kind: 'user', id: 'u1', operations: [{ op: '$set', values: { vip: 1 } }] }]);
    await store.flush();
    // As if written with another shard count: u1 in the shard after its own.
    const home = (await ShardKey.of(dir)).index(['app', 'user', 'u1'].join('\n'), 64);
    const file = (i: number) => path.join(dir, `banner-profiles-${String(i).padStart(2, '0')}.json`);
    const other = (home + 1) % 64;
    // A shard nothing was written to has no file yet.
    const read = (i: number): { profiles: unknown[]; [list: string]: unknown[] } =>
      existsSync(file(i))
        ? JSON.parse(readFileSync(file(i), 'utf8'))
        : { profiles: [], aliases: [], grants: [] };
    const [homeDoc, otherDoc] = [read(home), read(other)];
    otherDoc.profiles.push(...homeDoc.profiles);
    homeDoc.profiles = [];
    writeFileSync(file(home), JSON.stringify(homeDoc));
    writeFileSync(file(other), JSON.stringify(otherDoc));
    // The upgraded process starts moving it, and dies before its home shard is renamed in.
    hangRenameTo = file(home);
    void ProfileDocumentStore.open(dir);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const afterCrash = tempDir('offerd-rehome-after-');
    for (const name of readdirSync(dir).filter((n) => !n.endsWith('.tmp'))) {
      cpSync(path.join(dir, name), path.join(afterCrash, name));
    }
    hangRenameTo = '';
    const restarted = await ProfileDocumentStore.open(afterCrash);
    t.deepEqual(await restarted.profile('app', 'user', 'u1'), { vip: 1 });
  },
);
