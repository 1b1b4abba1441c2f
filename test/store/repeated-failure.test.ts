import test from 'ava';
import { RepeatedFailure } from '../../src/store/repeated-failure.js';

test('a failure repeated every 500 ms for two minutes is three warnings and one recovery line, not 241 stacks', (t) => {
  const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
  const logger = {
    warn: (fields: Record<string, unknown>, msg: string) => void lines.push({ level: 'warn', fields, msg }),
    info: (fields: Record<string, unknown>, msg: string) => void lines.push({ level: 'info', fields, msg }),
  };
  let now = 0;
  const failures = new RepeatedFailure(logger as never, 'reading failed', 60_000, () => now);
  failures.succeeded();
  t.is(lines.length, 0, 'nothing to recover from');
  const err = new Error('connect ECONNREFUSED');
  for (; now <= 120_000; now += 500) failures.failed(err);
  failures.succeeded();
  t.deepEqual(
    lines.map((l) => [l.level, l.msg]),
    [
      ['warn', 'reading failed'],
      ['warn', 'reading failed (still failing)'],
      ['warn', 'reading failed (still failing)'],
      ['info', 'reading failed: recovered'],
    ],
  );
  t.is(lines[0]?.fields.err, err, 'the first carries the error');
  t.like(lines[2]?.fields, { cause: 'connect ECONNREFUSED', failures: 241 });
  t.like(lines[3]?.fields, { failures: 241 });
  failures.failed(err);
  t.is(lines.at(-1)?.msg, 'reading failed', 'a new outage is logged as new');
});
