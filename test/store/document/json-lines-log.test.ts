import { appendFile, mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { CorruptStoreError, isRecord } from '../../../src/store/document/corrupt-store.js';
import { JsonLinesLog, type LineShape, TAIL_CUT } from '../../../src/store/document/json-lines-log.js';
import { tempDir } from '../../helpers/temp-dir.js';

type Line = { n: number; text?: string };

const LINE: LineShape<Line> = {
  what: 'a numbered line',
  holds: (v): v is Line => isRecord(v) && typeof v.n === 'number',
};

async function openLog(file: string | null): Promise<{ log: JsonLinesLog<Line>; values: Line[] }> {
  const values: Line[] = [];
  const log = await JsonLinesLog.open(file, LINE, (v) => values.push(v));
  return { log, values };
}

test('appended values come back in order on open, multi-byte text included', async (t) => {
  const file = path.join(await tempDir(t), 'a.jsonl');
  const { log, values } = await openLog(file);
  t.deepEqual(values, []);
  await log.append([{ n: 1 }, { n: 2, text: 'zwölf 🎲\nzeilen' }]);
  await log.append([{ n: 3 }]);
  t.is(log.lines, 3);
  const again = await openLog(file);
  t.deepEqual(again.values, [{ n: 1 }, { n: 2, text: 'zwölf 🎲\nzeilen' }, { n: 3 }]);
  t.is(again.log.lines, 3);
});

test('concurrent appends share writes, keep their call order and each resolves once on disk', async (t) => {
  const file = path.join(await tempDir(t), 'a.jsonl');
  const { log } = await openLog(file);
  const onDisk: number[] = [];
  await Promise.all(
    Array.from({ length: 200 }, async (_, n) => {
      await log.append([{ n }]);
      // Acknowledged means durable: the line is in the file when the call resolves.
      const text = await readFile(file, 'utf8');
      if (text.includes(`{"n":${n}}\n`)) onDisk.push(n);
    }),
  );
  t.is(onDisk.length, 200);
  t.true(log.writes >= 1 && log.writes <= 3, `${log.writes} writes for 200 appends`);
  const { values } = await openLog(file);
  t.deepEqual(
    values.map((v) => v.n),
    Array.from({ length: 200 }, (_, n) => n),
  );
});

test('a line torn by a crash is skipped and cut off: the next append is not lost', async (t) => {
  const file = path.join(await tempDir(t), 'a.jsonl');
  const { log } = await openLog(file);
  await log.append([{ n: 1 }, { n: 2 }]);
  // A crash mid-append: part of a line, no newline.
  await appendFile(file, '{"n":3,"te');
  const warnings: Error[] = [];
  const onWarning = (w: Error) => {
    if ((w as { code?: string }).code === TAIL_CUT) warnings.push(w);
  };
  process.on('warning', onWarning);
  const reopened = await openLog(file);
  // Emitted on the next tick.
  await new Promise((r) => setImmediate(r));
  process.off('warning', onWarning);
  t.deepEqual(reopened.values, [{ n: 1 }, { n: 2 }]);
  t.is(warnings.length, 1, 'the cut is said, naming the file');
  t.true(warnings[0]?.message.startsWith(`${file}: 10 bytes after line 2 are no whole line and are cut off`));
  t.is(await readFile(file, 'utf8'), '{"n":1}\n{"n":2}\n');
  await reopened.log.append([{ n: 4 }]);
  t.deepEqual((await openLog(file)).values, [{ n: 1 }, { n: 2 }, { n: 4 }]);
});

test('a line that parses but lacks its newline was never acknowledged: skipped too', async (t) => {
  // A torn "12" would read as the number 1: only newline-ended lines count.
  const file = path.join(await tempDir(t), 'a.jsonl');
  await writeFile(file, '{"n":1}\n{"n":2}');
  const { values, log } = await openLog(file);
  t.deepEqual(values, [{ n: 1 }]);
  await log.append([{ n: 3 }]);
  t.deepEqual((await openLog(file)).values, [{ n: 1 }, { n: 3 }]);
});

test('a failed write rejects every append it carried and nothing of them stays; later appends persist', async (t) => {
  const file = path.join(await tempDir(t), 'a.jsonl');
  const { log } = await openLog(file);
  await log.append([{ n: 1 }]);
  // The log's file name taken by a directory: opening it for appending fails (root too).
  await rename(file, `${file}.away`);
  await mkdir(file);
  const outcomes = await Promise.allSettled([log.append([{ n: 2 }]), log.append([{ n: 3 }])]);
  t.deepEqual(
    outcomes.map((o) => o.status),
    ['rejected', 'rejected'],
  );
  await rmdir(file);
  await rename(`${file}.away`, file);
  await log.append([{ n: 4 }]);
  t.deepEqual((await openLog(file)).values, [{ n: 1 }, { n: 4 }]);
});

test('a value with no JSON form rejects its call alone, before anything is written', async (t) => {
  const file = path.join(await tempDir(t), 'a.jsonl');
  const { log } = await openLog(file);
  const outcomes = await Promise.allSettled([
    log.append([{ n: 1 }]),
    log.append([{ n: 2 }, { n: 10n } as unknown as Line]),
    log.append([{ n: 3 }]),
  ]);
  t.deepEqual(
    outcomes.map((o) => o.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  t.deepEqual((await openLog(file)).values, [{ n: 1 }, { n: 3 }]);
});

test('rewrite replaces the content atomically (a new file) and later appends follow it', async (t) => {
  const file = path.join(await tempDir(t), 'a.jsonl');
  const { log } = await openLog(file);
  await log.append([{ n: 1 }, { n: 2 }, { n: 3 }]);
  const before = await stat(file);
  const rewritten = log.rewrite([{ n: 2 }]);
  const appended = log.append([{ n: 5 }]);
  await Promise.all([rewritten, appended]);
  t.not((await stat(file)).ino, before.ino, 'renamed over, never written in place');
  t.is(log.lines, 2);
  t.deepEqual((await openLog(file)).values, [{ n: 2 }, { n: 5 }]);
  // Many lines: written in chunks.
  const many = Array.from({ length: 50_000 }, (_, n) => ({ n, text: 'x'.repeat(40) }));
  await log.rewrite(many);
  t.deepEqual((await openLog(file)).values, many);
});

test('a rewrite given as a function reads memory when its write runs, not when it is called', async (t) => {
  const file = path.join(await tempDir(t), 'a.jsonl');
  const { log } = await openLog(file);
  const memory: Line[] = [{ n: 1 }];
  const first = log.append([{ n: 1 }]);
  // The append's write is in flight: the rewrite waits for it, and reads `memory` then.
  const rewritten = log.rewrite(() => memory);
  memory.push({ n: 2 });
  await Promise.all([first, rewritten]);
  t.deepEqual((await openLog(file)).values, [{ n: 1 }, { n: 2 }]);
});

test('in memory nothing is written; values are still checked', async (t) => {
  const { log, values } = await openLog(null);
  t.deepEqual(values, []);
  await log.append([{ n: 1 }]);
  t.is(log.lines, 1);
  await t.throwsAsync(log.append([{ n: 10n } as unknown as Line]), { instanceOf: TypeError });
  t.is(log.writes, 0);
});

test('a line that does not parse with good lines after it is damage, not a torn tail: open refuses, naming file and line', async (t) => {
  const file = path.join(await tempDir(t), 'a.jsonl');
  await writeFile(file, '{"n":1}\n{"n":2}\nGARBAGE LINE\n{"n":4}\n');
  const err = await t.throwsAsync(openLog(file), { instanceOf: CorruptStoreError });
  t.regex(err?.message ?? '', /a\.jsonl: line 3 is not JSON \("GARBAGE LINE"\) and line 4 after it is/);
  t.regex(err?.message ?? '', /Restore the data dir from its backup/);
  t.regex(err?.message ?? '', /sed -i '3d'/);
  t.is(
    await readFile(file, 'utf8'),
    '{"n":1}\n{"n":2}\nGARBAGE LINE\n{"n":4}\n',
    'the file is left as it was',
  );
  // An empty line is no line the log writes either.
  await writeFile(file, '{"n":1}\n\n{"n":3}\n');
  await t.throwsAsync(openLog(file), { instanceOf: CorruptStoreError, message: /line 2 is not JSON/ });
});

test('a line that is JSON but not what the log holds is damage wherever it is, the last line included: open refuses, naming file, line and what was expected', async (t) => {
  const file = path.join(await tempDir(t), 'a.jsonl');
  for (const [text, bad] of [
    ['{"n":1}\n5\n{"n":3}\n', 2],
    ['{"n":1}\n{"m":2}\n', 2],
    ['null\n', 1],
  ] as const) {
    await writeFile(file, text);
    const err = await t.throwsAsync(openLog(file), { instanceOf: CorruptStoreError });
    t.regex(err?.message ?? '', new RegExp(`a\\.jsonl: line ${bad} is JSON but not a numbered line \\(`));
    t.regex(err?.message ?? '', new RegExp(`sed -i '${bad}d'`));
    t.is(await readFile(file, 'utf8'), text, 'the file is left as it was');
  }
});

test('a directory where the log should be: open refuses in one message naming it, not with EISDIR', async (t) => {
  const file = path.join(await tempDir(t), 'a.jsonl');
  await mkdir(file);
  const err = await t.throwsAsync(openLog(file), { instanceOf: CorruptStoreError });
  t.regex(
    err?.message ?? '',
    /a\.jsonl: is a directory where offerd keeps a file: move it out of the data dir.*\(EISDIR\)$/,
  );
});

test('bad lines at the end only are a torn tail: skipped and cut off as before', async (t) => {
  const file = path.join(await tempDir(t), 'a.jsonl');
  await writeFile(file, '{"n":1}\n{"broken": tr\nnot json\n{"n":');
  const { values, log } = await openLog(file);
  t.deepEqual(values, [{ n: 1 }]);
  await log.append([{ n: 2 }]);
  t.is(await readFile(file, 'utf8'), '{"n":1}\n{"n":2}\n');
});

test('a log emptied, deleted or cut at a line boundary from outside is refused at open, naming it and its line record; deleting the record accepts what it holds', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'a.jsonl');
  const { log } = await openLog(file);
  for (let n = 1; n <= 30; n++) await log.append([{ n }]);
  const full = await readFile(file, 'utf8');

  for (const [how, damage] of [
    ['emptied', () => writeFile(file, '')],
    ['cut at a line boundary', () => writeFile(file, full.split('\n').slice(0, 10).join('\n').concat('\n'))],
    ['deleted', () => rm(file)],
  ] as const) {
    await damage();
    const err = await t.throwsAsync(openLog(file), { instanceOf: CorruptStoreError }, how);
    t.regex(
      err?.message ?? '',
      new RegExp(
        `^${file}: (holds (0|10) whole lines where it held at least 30|is missing where it held at least 30 lines) \\(a\\.jsonl\\.lines\\): it was emptied, cut short, deleted or replaced from outside.*delete ${file}\\.lines$`,
      ),
      how,
    );
    await writeFile(file, full);
  }
  t.is((await openLog(file)).values.length, 30, 'the whole log opens as before');

  await writeFile(file, '{"n":1}\n');
  await rm(`${file}.lines`);
  const accepted = await openLog(file);
  t.deepEqual(accepted.values, [{ n: 1 }], 'without its record, the log opens with what it holds');
  await accepted.log.append([{ n: 2 }]);
  await writeFile(file, '');
  await t.throwsAsync(openLog(file), { instanceOf: CorruptStoreError }, 'and is recorded again from then on');
});

test('the line record never says more than the log holds: rewrites that shorten it, appends and reopens in any order open', async (t) => {
  const file = path.join(await tempDir(t), 'a.jsonl');
  let { log } = await openLog(file);
  let expected: Line[] = [];
  for (let round = 0; round < 40; round++) {
    const step = round % 5;
    if (step === 0 || step === 3) {
      const more = Array.from({ length: 1 + ((round * 7) % 25) }, (_, i) => ({ n: round * 100 + i }));
      await log.append(more);
      expected = [...expected, ...more];
    } else if (step === 1) {
      expected = expected.slice(-Math.floor(expected.length / 3));
      await log.rewrite(expected);
    } else if (step === 2) {
      // A rewrite and appends racing in one group commit.
      const kept = expected.slice(-2);
      await Promise.all([log.rewrite(kept), log.append([{ n: -round }])]);
      expected = [...kept, { n: -round }];
    } else {
      const reopened = await openLog(file);
      t.deepEqual(reopened.values, expected, `round ${round}`);
      log = reopened.log;
    }
    const recorded = JSON.parse(await readFile(`${file}.lines`, 'utf8').catch(() => '{"lines":0}')) as {
      lines: number;
    };
    t.true(
      recorded.lines <= expected.length,
      `round ${round}: record ${recorded.lines} ≤ ${expected.length} lines`,
    );
  }
  t.deepEqual((await openLog(file)).values, expected);
});
