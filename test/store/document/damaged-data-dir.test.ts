/**
 * Every file of the embedded store refuses to open on content no version of offerd wrote
 * there, with a message naming the file (and line) and what to do: an operator probe found
 * a line of the wrong shape failing the start as a TypeError with a stack
 * (admin-actions.jsonl, journeys-events.jsonl, decisions.jsonl) or taken in silently
 * (banner-insert-ids.jsonl), and a directory in place of any file failing with EISDIR.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { openDocumentStore } from '../../../src/apis.js';
import { DocumentDecisionLog } from '../../../src/store/decisions/decision-log-document.js';
import { CorruptStoreError } from '../../../src/store/document/corrupt-store.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** Opens what reads `file` of a data dir: the store, or the decision log. */
const opener = (file: string) => (dir: string) =>
  file === 'decisions.jsonl' ? DocumentDecisionLog.open(dir, 100) : openDocumentStore(dir);

const LOGS: Record<string, { what: string; wrong: string[] }> = {
  'admin-actions.jsonl': {
    what: 'an admin action',
    wrong: ['{"seq":1,"origin":"a","action":{"kind":"rollback","appId":"demo"}}', '{"seq":"1"}'],
  },
  'journeys-events.jsonl': { what: 'a list of journeys events', wrong: ['[{"appId":"demo"}]', '[null]'] },
  'banner-insert-ids.jsonl': { what: 'an insert id claim or release', wrong: ['["c","demo","id"]', '[]'] },
  'decisions.jsonl': { what: 'a recorded decision', wrong: ['{"appId":"demo","api":"banner"}', '[]'] },
};

for (const [file, { what, wrong }] of Object.entries(LOGS)) {
  test(`${file}: a line that is JSON but not ${what} is refused, naming file and line; the file is left as it was`, async (t) => {
    for (const line of ['5', '{"foo":1}', ...wrong]) {
      const dir = await tempDir(t, 'offerd-data-');
      const at = path.join(dir, file);
      await writeFile(at, `${line}\n`);
      const err = await t.throwsAsync(opener(file)(dir), { instanceOf: CorruptStoreError }, line);
      t.true(err?.message.startsWith(`${at}: line 1 is JSON but not ${what} (`), err?.message);
      t.regex(err?.message ?? '', /Restore the data dir from its backup/);
      t.is(await readFile(at, 'utf8'), `${line}\n`);
    }
  });
}

test('a directory where any file of the store should be: refused naming it, not a raw EISDIR', async (t) => {
  for (const file of [
    ...Object.keys(LOGS),
    'banner-users-00.json',
    'shard-key-siphash.json',
    'rules-last-good.json',
  ]) {
    const dir = await tempDir(t, 'offerd-data-');
    await mkdir(path.join(dir, file));
    const err = await t.throwsAsync(opener(file)(dir), { instanceOf: CorruptStoreError }, file);
    t.is(
      err?.message.replace(/ If the file was there before it: .*/, ''),
      `${path.join(dir, file)}: is a directory where offerd keeps a file: move it out of the data dir.`,
      file,
    );
    t.regex(err?.message ?? '', /\(EISDIR\)$/);
  }
});

test('a document that is JSON but holds none of its file’s keys, or a kept rules snapshot that is none, is refused naming the file', async (t) => {
  for (const [file, text, what] of [
    ['offerwall-bans.json', '{"x":1}', 'holds none of "bans": it is no document of this file'],
    ['banner-users-00.json', '{}', 'holds none of "users": it is no document of this file'],
    ['rules-last-good.json', '{}', 'holds none of "apps", "kept": it is no document of this file'],
    ['rules-last-good.json', '{"apps":[]}', '"apps" is not a record'],
    ['rules-last-good.json', '{"apps":{"demo":{}}}', '"apps"."demo" is not a rules snapshot'],
    [
      'rules-last-good.json',
      '{"apps":{"demo":{"hash":"h","files":[{"name":"a.yaml"}]}}}',
      '"apps"."demo" is not a rules snapshot',
    ],
  ] as const) {
    const dir = await tempDir(t, 'offerd-data-');
    await writeFile(path.join(dir, file), text);
    const err = await t.throwsAsync(openDocumentStore(dir), { instanceOf: CorruptStoreError }, text);
    t.true(err?.message.startsWith(`${path.join(dir, file)}: ${what}`), err?.message);
  }
  // A kept snapshot as offerd writes it opens.
  const dir = await tempDir(t, 'offerd-data-');
  await writeFile(
    path.join(dir, 'rules-last-good.json'),
    '{"apps":{"demo":{"hash":"h","files":[{"name":"a.yaml","text":"x: 1"}]}}}',
  );
  const store = await openDocumentStore(dir);
  t.like(await store.lastGoodRules.get('demo'), { hash: 'h' });
  await store.close();
});
