import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { GroupCommit } from '../../../src/store/document/group-commit.js';

test('200 concurrent commits coalesce into at most 3 writes', async (t) => {
  let calls = 0;
  const group = new GroupCommit(async () => {
    calls++;
    await sleep(5);
  });
  await Promise.all(Array.from({ length: 200 }, () => group.commit()));
  t.true(calls >= 1 && calls <= 3, `calls=${calls}`);
  t.is(group.writes, calls);
});

test('every commit resolves only after a write that started after it', async (t) => {
  let clock = 0;
  let memory = 0;
  let disk = 0;
  const writes: Array<{ start: number; end: number }> = [];
  const group = new GroupCommit(async () => {
    const start = ++clock;
    const snapshot = memory;
    await sleep(3);
    disk = snapshot;
    writes.push({ start, end: ++clock });
  });

  const callers = Array.from({ length: 60 }, async (_, i) => {
    await sleep(Math.floor(i / 3)); // spread arrivals across several writes
    memory = i + 1;
    const called = ++clock;
    await group.commit();
    const resolved = ++clock;
    // The mutation made just before commit() must already be on "disk".
    t.true(disk >= i + 1, `caller ${i}: disk=${disk}`);
    t.true(
      writes.some((w) => w.start > called && w.end < resolved),
      `caller ${i} resolved without a write started after its call`,
    );
  });
  await Promise.all(callers);
  t.true(writes.length > 1, 'arrivals should span several writes');
  t.true(writes.length < 60, 'commits should coalesce');
});

test('a failed write rejects exactly its waiters and the next commit succeeds', async (t) => {
  let calls = 0;
  const group = new GroupCommit(async () => {
    calls++;
    await sleep(10);
    if (calls === 2) throw new Error('disk full');
  });

  const before = group.commit(); // write 1, succeeds
  await sleep(2);
  const failingA = group.commit(); // both share write 2, which fails
  const failingB = group.commit();
  await t.throwsAsync(failingA, { message: 'disk full' });
  const after = group.commit(); // write 3, succeeds

  await t.notThrowsAsync(before);
  await t.throwsAsync(failingB, { message: 'disk full' });
  await t.notThrowsAsync(after);
  await t.notThrowsAsync(group.commit());
  t.is(calls, 4);
  t.is(group.writes, 3);
});

test('a write that throws synchronously rejects and does not wedge the group', async (t) => {
  let fail = true;
  const group = new GroupCommit(() => {
    if (fail) throw new Error('sync boom');
    return Promise.resolve();
  });
  await t.throwsAsync(group.commit(), { message: 'sync boom' });
  fail = false;
  await t.notThrowsAsync(group.commit());
  await group.flush();
  t.is(group.writes, 1);
});

test('flush waits for the in-flight and the pending write', async (t) => {
  let finished = 0;
  const group = new GroupCommit(async () => {
    await sleep(10);
    finished++;
  });
  await group.flush(); // idle: resolves at once
  void group.commit();
  void group.commit(); // joins the pending batch behind the in-flight write
  await group.flush();
  t.is(finished, 2);
  t.is(group.writes, 2);
});

test('flush waits for commits made by waiters of the last write, and never rejects', async (t) => {
  let calls = 0;
  const group = new GroupCommit(async () => {
    calls++;
    await sleep(5);
    if (calls === 1) throw new Error('transient');
  });
  group.commit().catch(() => group.commit());
  await t.notThrowsAsync(group.flush());
  t.is(calls, 2);
  t.is(group.writes, 1);
});

test('with restore, a failed write swaps memory back and rejects the failed and the pending batch in one step', async (t) => {
  let fail = true;
  const log: string[] = [];
  const group = new GroupCommit(
    async () => {
      await sleep(10);
      if (fail) throw new Error('disk full');
    },
    async () => {
      await sleep(5);
      return () => log.push('swap');
    },
  );
  const failed = group.commit();
  await sleep(2);
  const pending = group.commit(); // joins the batch after the failing write: its change is dropped too
  const order = (what: string) => () => log.push(what);
  const settled = Promise.allSettled([
    failed.then(order('failed resolved'), order('failed rejected')),
    pending.then(order('pending resolved'), order('pending rejected')),
  ]);
  await settled;
  t.deepEqual(log, ['swap', 'failed rejected', 'pending rejected']);
  fail = false;
  await t.notThrowsAsync(group.commit());
  t.is(group.writes, 1);
});

test('with restore, a file that cannot be read back fails every commit until it can', async (t) => {
  let readable = false;
  let swaps = 0;
  const group = new GroupCommit(
    async () => {
      throw new Error('disk gone');
    },
    async () => {
      if (!readable) throw new Error('EIO');
      return () => swaps++;
    },
  );
  await t.throwsAsync(group.commit(), { message: 'disk gone' });
  await t.throwsAsync(group.commit(), { message: /could not be read back/ });
  readable = true;
  // The read works again: memory is restored, and this commit, whose change it dropped, fails.
  await t.throwsAsync(group.commit(), { message: /could not be read back/ });
  t.is(swaps, 1);
  await t.throwsAsync(group.commit(), { message: 'disk gone' }); // now a plain write failure again
  t.is(swaps, 2);
});
