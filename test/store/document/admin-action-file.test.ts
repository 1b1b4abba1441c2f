import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { SharedAction } from '../../../src/store/admin-action-log.js';
import { AdminActionFile } from '../../../src/store/document/admin-action-file.js';
import { tempDir } from '../../helpers/temp-dir.js';

const rollback = (appId: string, hash: string): SharedAction => ({
  kind: 'rollback',
  appId,
  hash,
  files: [{ name: 'banner.yaml', text: `version: ${hash}\n` }],
});
const reload = (appId: string | null): SharedAction => ({ kind: 'reload', appId });

test('the rollbacks in force survive a reopen; a reload of the app, or of every app, ends them', async (t) => {
  const dir = await tempDir(t);
  const log = await AdminActionFile.open(dir);
  let cursor = 0;
  for (const action of [rollback('a', 'h1'), rollback('b', 'h2'), rollback('c', 'h3'), reload('b')]) {
    const entries = await log.append(action, 'i1', cursor);
    cursor = entries.at(-1)?.seq ?? cursor;
  }
  t.is(cursor, 4);
  const inForce = (await log.current()).rollbacks.map((e) => e.action);
  t.deepEqual(inForce, [rollback('a', 'h1'), rollback('c', 'h3')]);

  const reopened = await AdminActionFile.open(dir);
  const current = await reopened.current();
  t.deepEqual(
    current.rollbacks.map((e) => e.action),
    [rollback('a', 'h1'), rollback('c', 'h3')],
  );
  // Cut down to what is in force: two lines, numbered from 1.
  t.is(current.head, 2);
  const lines = (await readFile(path.join(dir, 'admin-actions.jsonl'), 'utf8')).trim().split('\n');
  t.is(lines.length, 2);

  await reopened.append(reload(null), 'i1', current.head);
  t.deepEqual((await (await AdminActionFile.open(dir)).current()).rollbacks, []);
});

test('append returns the entries after the cursor up to its own, in order; reading behind the cursor throws', async (t) => {
  const log = await AdminActionFile.open(null);
  await log.append(reload('a'), 'i1', 0);
  const two = await log.append(rollback('a', 'h1'), 'i1', 0);
  t.deepEqual(
    two.map((e) => e.seq),
    [1, 2],
  );
  t.deepEqual(await log.after(2), []);
  await t.throwsAsync(() => log.after(1), { message: /no longer held/ });
});

test('a torn last line (kill -9 mid-append) is dropped, the acknowledged ones kept', async (t) => {
  const dir = await tempDir(t);
  const log = await AdminActionFile.open(dir);
  await log.append(rollback('a', 'h1'), 'i1', 0);
  const file = path.join(dir, 'admin-actions.jsonl');
  await appendFile(file, '{"seq":2,"origin":"i1","action":{"kind":"rel');
  const reopened = await AdminActionFile.open(dir);
  t.deepEqual(
    (await reopened.current()).rollbacks.map((e) => e.action),
    [rollback('a', 'h1')],
  );
});
