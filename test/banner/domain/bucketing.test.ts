import test from 'ava';
import murmur from 'murmurhash-js';
import type { Experiment } from '../../../src/banner/domain/banner-types.js';
import {
  BUCKETS,
  bucketKey,
  bucketUser,
  murmur3,
  variationForBucket,
} from '../../../src/banner/domain/bucketing.js';
import { testExperiment } from '../../helpers/experiments.js';

const experiment = (over: Partial<Experiment> = {}): Experiment =>
  testExperiment('exp', {
    variations: [
      { id: 0, name: 'control', weight: 50 },
      { id: 1, name: 'a', weight: 30 },
      { id: 2, name: 'b', weight: 20 },
    ],
    ...over,
  });

test('murmur3 x86-32 matches the reference test vectors, over UTF-8 bytes', (t) => {
  t.is(murmur3('', 0), 0);
  t.is(murmur3('', 1), 0x514e28b7);
  t.is(murmur3('hello', 0), 0x248bfa47);
  t.is(murmur3('Hello, world!', 1234), 0xfaf6cdb3);
  t.is(murmur3('The quick brown fox jumps over the lazy dog', 0x9747b28c), 0x2fa826cd);
  // Non-ASCII: hashed as its UTF-8 bytes, like every other implementation.
  t.is(murmur3('ππππππππ', 0x9747b28c), 0xd58063c1);
});

test('murmur3 hashes any key as its UTF-8 bytes: ASCII keys (hashed directly) and others alike', (t) => {
  const viaBytes = (key: string, seed: number) =>
    murmur.murmur3(Buffer.from(key, 'utf8').toString('latin1'), seed) >>> 0;
  let n = 11;
  const rand = (k: number) => {
    n = (n * 1103515245 + 12345) % 2 ** 31;
    return n % k;
  };
  const alphabets = ['abcXYZ019:-_', '\u0000\u007f~ ', 'äéπ字😀', 'a\u0080\u00ff\u0100z'];
  for (let i = 0; i < 2000; i++) {
    const chars = Array.from(alphabets[i % alphabets.length] as string);
    const key = Array.from({ length: rand(40) }, () => chars[rand(chars.length)]).join('');
    t.is(murmur3(key, i % 3), viaBytes(key, i % 3), JSON.stringify(key));
  }
});

test('the bucketing key names experiment, bucket version and user', (t) => {
  t.is(bucketKey('spring-sale', 3, 'u-1'), 'spring-sale:3:u-1');
});

test('the same user always lands in the same variation; a new bucket version re-randomizes', (t) => {
  const first = bucketUser(experiment(), 'user-42');
  for (let i = 0; i < 100; i++) t.deepEqual(bucketUser(experiment(), 'user-42'), first);
  const moved = Array.from({ length: 200 }, (_, i) => `u${i}`).filter(
    (u) =>
      bucketUser(experiment(), u).variationBucket !==
      bucketUser(experiment({ bucketVersion: 2 }), u).variationBucket,
  );
  t.true(moved.length > 190, `only ${moved.length} of 200 users got a new bucket`);
});

test('weights and traffic allocation hold over many users', (t) => {
  const n = 20_000;
  const counts = new Map<string, number>();
  const exp = experiment({ trafficAllocation: 40 });
  for (let i = 0; i < n; i++) {
    const b = bucketUser(exp, `user-${i}`);
    const k = b.admitted ? String(b.variationId) : 'out';
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const share = (k: string) => (counts.get(k) ?? 0) / n;
  t.true(Math.abs(share('out') - 0.6) < 0.02, `out ${share('out')}`);
  t.true(Math.abs(share('0') - 0.4 * 0.5) < 0.02, `control ${share('0')}`);
  t.true(Math.abs(share('1') - 0.4 * 0.3) < 0.02, `a ${share('1')}`);
  t.true(Math.abs(share('2') - 0.4 * 0.2) < 0.02, `b ${share('2')}`);
});

test('variationForBucket: cumulative shares in order, zero weights never chosen', (t) => {
  const vs = [
    { id: 0, name: 'c', weight: 1 },
    { id: 1, name: 'x', weight: 0 },
    { id: 2, name: 'y', weight: 3 },
  ];
  t.is(variationForBucket(vs, 0), 0);
  t.is(variationForBucket(vs, BUCKETS / 4 - 1), 0);
  t.is(variationForBucket(vs, BUCKETS / 4), 2);
  t.is(variationForBucket(vs, BUCKETS - 1), 2);
  t.is(variationForBucket([{ id: 0, name: 'c', weight: 0 }], 5), null);
});

test('an allocation of 0 admits nobody, 100 admits everybody', (t) => {
  const users = Array.from({ length: 500 }, (_, i) => `p${i}`);
  t.true(users.every((u) => !bucketUser(experiment({ trafficAllocation: 0 }), u).admitted));
  t.true(users.every((u) => bucketUser(experiment({ trafficAllocation: 100 }), u).admitted));
});
