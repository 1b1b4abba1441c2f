import test from 'ava';
import fc from 'fast-check';
import type { Condition } from '../../src/rules/engine/conditions.js';
import { DecisionCache } from '../../src/rules/engine/decision-cache.js';
import { ARRAY_VALUE_OPERATORS, KNOWN_OPERATORS } from '../../src/rules/engine/operators.js';
import { type Facts, RuleSet, traced } from '../../src/rules/engine/rule-set.js';
import { liveHeap } from '../helpers/full-gc.js';

const segments = new Map<string, Condition>([
  ['de', { fact: 'request.country', operator: 'equal', value: 'DE' }],
  ['payer', { fact: 'user.purchases', operator: 'greaterThan', value: 0 }],
  ['de-payer', { all: [{ segment: 'de' }, { segment: 'payer' }] }],
  ['fan', { fact: 'user.tags', operator: 'contains', value: 'fan' }],
]);
const segmentSet = () =>
  RuleSet.build(
    [...segments].map(([id, when]) => ({ id, priority: 0, when, data: id })),
    'inline',
    segments,
  );
const matchedIds = async (set: RuleSet<unknown>, facts: Facts) =>
  (await set.evaluate(facts)).filter((o) => o.matched).map((o) => o.id);

test('another user with the same read values gets the same decisions, traced on its own facts', async (t) => {
  const set = segmentSet();
  const facts = { request: { country: 'DE' }, user: { purchases: 2, tags: ['fan'] } };
  const first = await traced(await set.evaluate(facts));
  // Another user with the same read values: unread facts (ids, other fields) do not matter.
  const second = await traced(
    await set.evaluate({
      request: { country: 'DE', userId: 'other' },
      user: { purchases: 2, tags: ['fan'], renders: 7 },
    }),
  );
  t.deepEqual(
    second.map((o) => [o.id, o.matched]),
    first.map((o) => [o.id, o.matched]),
  );
  // A cached decision is traced by json-rules-engine again, on the second request's facts.
  t.deepEqual(
    second.map((o) => o.conditions),
    first.map((o) => o.conditions),
  );
});

test('any read value that changes is a different key: nested paths, arrays, segment membership, fact references', async (t) => {
  const set = segmentSet();
  t.deepEqual(await matchedIds(set, { request: { country: 'DE' }, user: { purchases: 1, tags: [] } }), [
    'de',
    'payer',
    'de-payer',
  ]);
  t.deepEqual(await matchedIds(set, { request: { country: 'FR' }, user: { purchases: 1, tags: [] } }), [
    'payer',
  ]);
  t.deepEqual(await matchedIds(set, { request: { country: 'DE' }, user: { purchases: 0, tags: ['fan'] } }), [
    'de',
    'fan',
  ]);
  t.deepEqual(await matchedIds(set, { request: { country: 'DE' }, user: { purchases: '1' } }), [
    'de',
    'payer',
    'de-payer',
  ]);

  const byFact = RuleSet.build([{ id: 'r', priority: 0, when: { segment: 'de-payer' }, data: null }], 'fact');
  t.true((await byFact.evaluate({ segments: ['de', 'de-payer'] }))[0]?.matched);
  t.false((await byFact.evaluate({ segments: ['de'] }))[0]?.matched);
  t.true((await byFact.evaluate({ segments: ['de-payer'] }))[0]?.matched);
  // Serving hands out frozen shared lists: each is looked through once, and two lists
  // with different members are still two keys.
  const shared = Object.freeze(['de']);
  const payer = Object.freeze(['fr', 'de-payer']);
  t.false((await byFact.evaluate({ segments: shared }))[0]?.matched);
  t.false((await byFact.evaluate({ segments: shared }))[0]?.matched);
  t.true((await byFact.evaluate({ segments: payer }))[0]?.matched);
  t.false((await byFact.evaluate({ segments: 'de-payer' }))[0]?.matched);
  // Strings are keyed by length and content: no two differ only in where a separator falls.
  const names = RuleSet.build(
    [{ id: 'r', priority: 0, when: { fact: 'a', operator: 'equal', value: 'x:1' }, data: null }],
    'fact',
  );
  t.true((await names.evaluate({ a: 'x:1' }))[0]?.matched);
  t.false((await names.evaluate({ a: 'x:12' }))[0]?.matched);
  t.false((await names.evaluate({ a: 'x' }))[0]?.matched);

  // json-rules-engine compares with another fact when the value is {fact, path}.
  const refs = RuleSet.build(
    [
      {
        id: 'over-limit',
        priority: 0,
        when: { fact: 'user.spent', operator: 'greaterThan', value: { fact: 'limits', path: 'daily' } },
        data: null,
      },
    ],
    'fact',
  );
  t.true((await refs.evaluate({ user: { spent: 10 }, limits: { daily: 5 } }))[0]?.matched);
  t.false((await refs.evaluate({ user: { spent: 10 }, limits: { daily: 50 } }))[0]?.matched);
});

test('a value that cannot be keyed (a Date, a Map, a class instance) is evaluated on its own every time', async (t) => {
  const set = RuleSet.build(
    [{ id: 'r', priority: 0, when: { fact: 'user.seen', operator: 'exists', value: true }, data: null }],
    'fact',
  );
  class Visit {}
  // Interleaved with null, which is keyed: a non-keyable value must never be answered as null was.
  for (const seen of [new Date(1), null, new Map(), null, new Visit(), undefined, new Date(2)]) {
    const expected = seen !== null && seen !== undefined;
    t.is((await set.evaluate({ user: { seen } }))[0]?.matched, expected, String(seen));
  }
});

test('concurrent requests with one key all get its decision; past its capacity the cache evicts and still answers right', async (t) => {
  const set = segmentSet();
  const facts = { request: { country: 'DE' }, user: { purchases: 3 } };
  const concurrent = await Promise.all(Array.from({ length: 50 }, () => matchedIds(set, facts)));
  for (const ids of concurrent) t.deepEqual(ids, ['de', 'payer', 'de-payer']);
  // More distinct keys than it holds, twice over: the first ones are evicted by the time
  // the second pass asks for them again, and each answer must still be that key's own.
  // Countries are keyed by value (purchases only by their class: 0 or more).
  const keys = set.cache.capacity + 10;
  const country = (p: number) => (p % 2 === 0 ? 'DE' : `F${p}`);
  for (let pass = 0; pass < 2; pass++) {
    for (let p = 0; p < keys; p++) {
      const ids = await matchedIds(set, { request: { country: country(p) }, user: { purchases: p % 3 } });
      const de = country(p) === 'DE';
      t.deepEqual(ids, [
        ...(de ? ['de'] : []),
        ...(p % 3 > 0 ? ['payer'] : []),
        ...(de && p % 3 > 0 ? ['de-payer'] : []),
      ]);
    }
  }
  t.true(set.cache.size <= set.cache.capacity, 'memory stays bounded by the capacity');
});

test('decisions from the cache equal fresh json-rules-engine runs over many random facts', async (t) => {
  const cached = segmentSet();
  const countries = ['DE', 'FR', undefined];
  const tags = [[], ['fan'], ['fan', 'x'], undefined];
  let seed = 7;
  const pick = <T>(xs: readonly T[]): T => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return xs[seed % xs.length] as T;
  };
  for (let i = 0; i < 300; i++) {
    const facts = {
      request: { country: pick(countries) },
      user: { purchases: pick([0, 1, 2, null]), tags: pick(tags) },
    };
    t.deepEqual(await matchedIds(cached, facts), await matchedIds(segmentSet(), facts));
  }
});

test('matchedIds and matchedData answer what evaluate matched, fresh and from the cache either one filled', async (t) => {
  const shared = segmentSet();
  const countries = ['DE', 'FR', undefined];
  const tags = [[], ['fan'], ['fan', 'x'], undefined];
  let seed = 11;
  const pick = <T>(xs: readonly T[]): T => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return xs[seed % xs.length] as T;
  };
  for (let i = 0; i < 300; i++) {
    const facts = {
      request: { country: pick(countries) },
      user: { purchases: pick([0, 1, 2, null]), tags: pick(tags) },
    };
    const expected = await matchedIds(segmentSet(), facts);
    // Either way in first, so that each reads decisions the other one cached.
    if (i % 2 === 0) t.deepEqual(await matchedIds(shared, facts), expected);
    t.deepEqual(await shared.matchedIds(facts), expected);
    t.deepEqual(await shared.matchedData(facts), expected);
    t.deepEqual(await matchedIds(shared, facts), expected);
  }
});

test('a decision used at least once per half the capacity outlives a stream of one-off keys; an unused one goes', (t) => {
  const cache = new DecisionCache([], (value) => value, 8);
  const decided = (n: number) => Promise.resolve(new Uint8Array([n]));
  const hot = decided(1);
  const cold = decided(2);
  cache.set('hot', hot);
  cache.set('cold', cold);
  for (let i = 0; i < 200; i++) {
    cache.set(`once-${i}`, decided(3));
    if (i % 4 === 3) t.is(cache.get('hot'), hot, `hot after ${i + 1} one-off keys`);
  }
  t.is(cache.get('cold'), undefined);
  // The most recent one-off keys are still there, the oldest are not.
  t.not(cache.get('once-199'), undefined);
  t.is(cache.get('once-150'), undefined);
});

const numberRules = (): RuleSet<string> =>
  RuleSet.build(
    [
      { id: 'recent', priority: 0, when: { fact: 'p.days', operator: 'lessThan', value: 7 }, data: 'recent' },
      {
        id: 'week',
        priority: 0,
        when: { fact: 'p.days', operator: 'between', value: [7, 14] },
        data: 'week',
      },
      {
        id: 'month',
        priority: 0,
        when: { fact: 'p.days', operator: 'greaterThanInclusive', value: 30 },
        data: 'month',
      },
      { id: 'zero', priority: 0, when: { fact: 'p.days', operator: 'equal', value: 0 }, data: 'zero' },
      {
        id: 'listed',
        priority: 0,
        when: { fact: 'p.days', operator: 'in', value: [3, 'x', 21] },
        data: 'listed',
      },
      { id: 'known', priority: 0, when: { fact: 'p.days', operator: 'exists', value: true }, data: 'known' },
      {
        id: 'not-1',
        priority: 0,
        when: { not: { fact: 'p.days', operator: 'notEqual', value: 1 } },
        data: 'one',
      },
    ],
    'fact',
  );

test('numbers compared only with number constants share a decision between the same thresholds, and it is always the fresh answer', async (t) => {
  const shared = numberRules();
  // Every threshold, its neighbours, fractions between them, -0, huge and non-finite values,
  // and values that are not numbers (keyed by value, never by class).
  const values: unknown[] = [
    -0, 0, -1, 0.5, 1, 1.0000001, 2.9, 3, 3.1, 6.999, 7, 7.5, 13.9, 14, 14.01, 20.9, 21, 29.99,
  ];
  values.push(30, 31, 1e9, Number.POSITIVE_INFINITY, Number.NaN, '3', '30', null, undefined, [7]);
  for (let i = 0; i < 200; i++) values.push(Math.round(Math.sin(i) * 4000) / 100);
  for (const days of [...values, ...values.slice().reverse()]) {
    const facts = { p: { days } };
    t.deepEqual(await matchedIds(shared, facts), await matchedIds(numberRules(), facts), String(days));
  }
  // 9 thresholds (0 1 3 7 14 21 30 and both ends of between): at most 19 classes plus the
  // values keyed as they are, for 430 evaluations.
  t.true(shared.cache.size <= 19 + 8, `${shared.cache.size} keys`);
  t.true(shared.cache.hits > 300);
});

test('a number compared with a non-number or with another fact is keyed by its value', async (t) => {
  // json-rules-engine coerces in an order comparison: 5 < '10' holds, and so would 50 < '100'.
  const coerced = () =>
    RuleSet.build(
      [
        { id: 'low', priority: 0, when: { fact: 'n', operator: 'lessThan', value: '10' }, data: null },
        {
          id: 'ref',
          priority: 0,
          when: { fact: 'm', operator: 'greaterThan', value: { fact: 'cap' } },
          data: null,
        },
        { id: 'm-small', priority: 0, when: { fact: 'm', operator: 'lessThan', value: 100 }, data: null },
      ],
      'fact',
    );
  const shared = coerced();
  for (const facts of [
    { n: 5, m: 3, cap: 2 },
    { n: 50, m: 3, cap: 4 },
    { n: 9.5, m: 5, cap: 4 },
    { n: 10, m: 5, cap: 6 },
    { n: 5, m: 3, cap: 2.5 },
  ]) {
    t.deepEqual(await matchedIds(shared, facts), await matchedIds(coerced(), facts), JSON.stringify(facts));
  }
  t.is(shared.cache.hits, 0);
});

/** Constants and values for random conditions on one number fact: numbers, near misses and other types. */
const NUMBERS = [-1, 0, 0.5, 1, 2, 2.5, 7, 30];
const CONSTANT = fc.oneof(
  fc.constantFrom(...NUMBERS),
  fc.constantFrom('7', 'x', '', null, true),
  fc.array(fc.constantFrom(...NUMBERS, '2', 'x'), { maxLength: 3 }),
);
// Every operator the loader knows, with the value it admits: an array for ARRAY_VALUE_OPERATORS.
const ARRAY_OPERATORS = [...ARRAY_VALUE_OPERATORS];
const SCALAR_OPERATORS = [...KNOWN_OPERATORS].filter((o) => !ARRAY_VALUE_OPERATORS.has(o));
const FACT = fc.constantFrom('p.x', 'p.y');
const leaf = fc.oneof(
  fc.record({ fact: FACT, operator: fc.constantFrom(...SCALAR_OPERATORS), value: CONSTANT }),
  fc.record({
    fact: FACT,
    operator: fc.constantFrom(...ARRAY_OPERATORS),
    value: fc.array(fc.constantFrom(...NUMBERS, '2', 'x', null), { maxLength: 3 }),
  }),
);
const condition: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.record({ all: fc.array(tie('c'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('c'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('c') }),
  ),
})).c;
const VALUE = fc.oneof(
  fc.constantFrom(...NUMBERS),
  fc.double({ min: -2, max: 40, noNaN: true }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, '2', '30', 'x', null, undefined, [2], true),
);

test('random rules on number facts: the cached decision of every value is json-rules-engine’s fresh one', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(condition, { minLength: 1, maxLength: 4 }),
      fc.array(fc.record({ x: VALUE, y: VALUE }), { minLength: 1, maxLength: 30 }),
      async (whens, users) => {
        const build = () =>
          RuleSet.build(
            whens.map((when, i) => ({ id: `r${i}`, priority: 0, when, data: i })),
            'fact',
          );
        const shared = build();
        for (const p of [...users, ...users]) {
          const fresh = await build().matched({ p });
          const cached = await shared.matched({ p });
          if (Buffer.compare(Buffer.from(fresh), Buffer.from(cached)) !== 0) return false;
        }
        return true;
      },
    ),
    { numRuns: 300, seed: 20261202 },
  );
  t.pass();
});

test('a client’s long text read by a rule is evaluated every time and never pins memory: the cache is bounded in key characters too', async (t) => {
  const set = RuleSet.build(
    [
      {
        id: 'boss',
        priority: 0,
        when: { fact: 'context.level', operator: 'equal', value: 'boss' },
        data: 'boss',
      },
    ],
    'inline',
  );
  const text = (i: number, length: number) => `${i}:`.padEnd(length, 'x');
  t.deepEqual(await matchedIds(set, { context: { level: 'boss' } }), ['boss']);
  const before = liveHeap();
  // 300 banner bodies of 60,000 characters each (the probe's were 1 MB; 18 MB here).
  for (let i = 0; i < 300; i++)
    t.deepEqual(await matchedIds(set, { context: { level: text(i, 60_000) } }), []);
  const grown = liveHeap() - before;
  t.true(grown < 4 * 1024 * 1024, `the live heap grew ${Math.round(grown / 1024)} KB`);
  // Keys under the per-key limit but many of them: the characters held stay within budget.
  for (let i = 0; i < 600; i++) await matchedIds(set, { context: { level: text(i, 15_000) } });
  t.true(
    set.cache.heldKeyChars <= DecisionCache.MAX_HELD_KEY_CHARS,
    `${set.cache.heldKeyChars} characters held`,
  );
  // A short key is still kept: the second request for it is a hit, answered right.
  const hits = set.cache.hits;
  t.deepEqual(await matchedIds(set, { context: { level: 'boss' } }), ['boss']);
  t.deepEqual(await matchedIds(set, { context: { level: 'boss' } }), ['boss']);
  t.true(set.cache.hits > hits);
});
