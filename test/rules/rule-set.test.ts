import test from 'ava';
import type { Condition } from '../../src/rules/engine/conditions.js';
import { RuleSet, resolvePath } from '../../src/rules/engine/rule-set.js';

const rules = Array.from({ length: 30 }, (_, i) => ({
  id: `r${i}`,
  // Several priorities: json-rules-engine's shared engine status used to skip later
  // priority groups when a concurrent run finished first.
  priority: i % 5,
  when: { fact: 'user.level', operator: 'greaterThanInclusive', value: i } as Condition,
  data: i,
}));

test('many concurrent evaluations over several priorities report every rule, with the right result', async (t) => {
  const set = RuleSet.build(rules, 'fact');
  // Distinct levels: every evaluation is a real json-rules-engine run, none from the decision cache.
  const levels = Array.from({ length: 400 }, (_, i) => 399 - i);
  const outcomes = await Promise.all(levels.map((level) => set.evaluate({ user: { level } })));
  outcomes.forEach((outcome, n) => {
    const level = levels[n] as number;
    t.is(outcome.length, rules.length);
    const matched = outcome.filter((o) => o.matched).map((o) => o.data);
    t.deepEqual(
      matched,
      rules.filter((r) => r.data <= level).map((r) => r.data),
    );
  });
});

test('segments referenced as a fact and inline give the same answer', async (t) => {
  const segments = new Map<string, Condition>([
    ['de', { fact: 'request.country', operator: 'equal', value: 'DE' }],
    ['de-payer', { all: [{ segment: 'de' }, { fact: 'user.purchases', operator: 'greaterThan', value: 0 }] }],
  ]);
  const inline = RuleSet.build(
    [...segments].map(([id, when]) => ({ id, priority: 0, when, data: id })),
    'inline',
    segments,
  );
  const facts = { request: { country: 'DE' }, user: { purchases: 2 } };
  const matched = (await inline.evaluate(facts)).filter((o) => o.matched).map((o) => o.id);
  t.deepEqual(matched, ['de', 'de-payer']);
  const byFact = RuleSet.build([{ id: 'x', priority: 0, when: { segment: 'de-payer' }, data: null }], 'fact');
  t.true((await byFact.evaluate({ segments: matched }))[0]?.matched);
  t.false((await byFact.evaluate({ segments: ['de'] }))[0]?.matched);
});

test('a trace shows each condition with the fact value seen, and which segment an inlined tree was', async (t) => {
  const segments = new Map<string, Condition>([
    ['adult', { fact: 'user.age', operator: 'greaterThanInclusive', value: 18 }],
  ]);
  const set = RuleSet.build(
    [
      {
        id: 'x',
        priority: 0,
        when: { all: [{ segment: 'adult' }, { fact: 'request.country', operator: 'in', value: ['DE'] }] },
        data: null,
      },
    ],
    'inline',
    segments,
  );
  const [outcome] = await set.evaluate({ user: { age: 30 }, request: { country: 'US' } });
  t.false(outcome?.matched);
  t.deepEqual(await outcome?.trace(), {
    all: [
      {
        segment: 'adult',
        result: true,
        conditions: {
          all: [
            { fact: 'user.age', operator: 'greaterThanInclusive', value: 18, factValue: 30, result: true },
          ],
          result: true,
        },
      },
      { fact: 'request.country', operator: 'in', value: ['DE'], factValue: 'US', result: false },
    ],
    result: false,
  });
});

test('missing facts make a condition false instead of failing the evaluation', async (t) => {
  const set = RuleSet.build(
    [
      {
        id: 'x',
        priority: 0,
        when: { fact: 'context.level', operator: 'greaterThan', value: 1 },
        data: null,
      },
    ],
    'fact',
  );
  t.false((await set.evaluate({}))[0]?.matched);
});

test('dot paths never walk into the prototype', (t) => {
  t.is(resolvePath({ a: { b: 1 } }, 'a.b'), 1);
  t.is(resolvePath({ a: {} }, 'a.constructor'), undefined);
  t.is(resolvePath({ a: 'text' }, 'a.length'), undefined);
});

test('custom operators are total', async (t) => {
  const set = RuleSet.build(
    [
      { id: 'between', priority: 0, when: { fact: 'n', operator: 'between', value: [1, 3] }, data: null },
      { id: 'starts', priority: 0, when: { fact: 's', operator: 'startsWith', value: 'ab' }, data: null },
      { id: 'exists', priority: 0, when: { fact: 'm', operator: 'exists', value: false }, data: null },
      {
        id: 'any',
        priority: 0,
        when: { fact: 'tags', operator: 'containsAny', value: ['x', 'vip'] },
        data: null,
      },
    ],
    'fact',
  );
  const got = (await set.evaluate({ n: 2, s: 'abc', tags: ['vip'] })).map((o) => o.matched);
  t.deepEqual(got, [true, true, true, true]);
  const odd = (await set.evaluate({ n: '2', s: 5, m: 0, tags: 'vip' })).map((o) => o.matched);
  t.deepEqual(odd, [false, false, false, false]);
});

test('matched and firstMatch report what evaluate reports, cached or not', async (t) => {
  const set = RuleSet.build(
    rules.map((r) => ({
      ...r,
      when: { fact: 'user.level', operator: 'equal', value: r.data % 7 } as Condition,
    })),
    'fact',
  );
  for (const level of [0, 3, 6, 9, 3, 0]) {
    const facts = { user: { level } };
    const outcomes = await set.evaluate(facts);
    t.deepEqual(
      [...(await set.matched(facts))],
      outcomes.map((o) => (o.matched ? 1 : 0)),
    );
    const first = outcomes.find((o) => o.matched);
    const found = await set.firstMatch(facts);
    t.is(found?.id, first?.id);
    if (found && first) t.deepEqual(await found.trace(), await first.trace());
  }
  t.deepEqual(
    set.ids,
    rules.map((r) => r.id),
  );
});

test("a value naming a dotted fact reads it as a condition's fact would: user.limit is the user fact at limit", async (t) => {
  // What validate accepts (a name the API's catalogue lists) must be what the engine reads:
  // json-rules-engine alone would look for a fact called 'user.limit' and find none.
  const set = RuleSet.build(
    [
      {
        id: 'over-own-limit',
        priority: 0,
        when: { fact: 'user.spent', operator: 'greaterThan', value: { fact: 'user.limit' } },
        data: null,
      },
      {
        id: 'over-daily',
        priority: 0,
        when: { fact: 'user.spent', operator: 'greaterThan', value: { fact: 'user.limits', path: 'daily' } },
        data: null,
      },
    ],
    'fact',
  );
  // The second evaluation differs only in the referenced values: a cached answer would be wrong.
  const over = await set.evaluate({ user: { spent: 10, limit: 5, limits: { daily: 5 } } });
  t.deepEqual(
    over.map((o) => o.matched),
    [true, true],
  );
  const under = await set.evaluate({ user: { spent: 10, limit: 50, limits: { daily: 50 } } });
  t.deepEqual(
    under.map((o) => o.matched),
    [false, false],
  );
});

test('in and notIn against a value-side fact that is missing or not a list are false, never a throw', async (t) => {
  // json-rules-engine's own `in` called value.indexOf: a request without the list was a 500.
  const set = RuleSet.build(
    [
      {
        id: 'in',
        priority: 0,
        when: { fact: 'request.countryIso2', operator: 'in', value: { fact: 'context.allowed' } },
        data: null,
      },
      {
        id: 'notIn',
        priority: 0,
        when: { fact: 'request.countryIso2', operator: 'notIn', value: { fact: 'context.allowed' } },
        data: null,
      },
    ],
    'fact',
  );
  const matched = async (facts: Record<string, unknown>) => (await set.evaluate(facts)).map((o) => o.matched);
  const request = { countryIso2: 'DE' };
  t.deepEqual(await matched({ request, context: { allowed: ['DE', 'AT'] } }), [true, false]);
  t.deepEqual(await matched({ request, context: { allowed: ['FR'] } }), [false, true]);
  for (const allowed of [undefined, null, 5, 'DE', { DE: true }]) {
    t.deepEqual(await matched({ request, context: { allowed } }), [false, false], JSON.stringify(allowed));
  }
  t.deepEqual(await matched({ request }), [false, false], 'no context at all');
});
