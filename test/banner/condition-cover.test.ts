import test from 'ava';
import { covers } from '../../src/banner/rules/condition-cover.js';
import type { Condition } from '../../src/rules/engine/conditions.js';

const SEGMENTS: Record<string, Condition> = {
  lapsed: {
    all: [
      { fact: 'user.daysSinceLastSeen', operator: 'greaterThanInclusive', value: 14 },
      { segment: 'payer' },
    ],
  },
  payer: { fact: 'user.purchases', operator: 'greaterThan', value: 0 },
};
const lookup = (id: string) => SEGMENTS[id];
const away: Condition = { fact: 'user.daysSinceLastSeen', operator: 'greaterThanInclusive', value: 14 };
const de: Condition = { fact: 'request.countryIso2', operator: 'equal', value: 'DE' };
const variations = (ids: number[]): Condition => ({
  fact: 'assignment.variationId',
  operator: 'in',
  value: ids,
});

test('a condition covers itself, a stricter conjunction, and what a segment requires through nested segments', (t) => {
  t.true(covers(away, away, lookup));
  t.true(covers(null, de, lookup), 'no condition holds for everyone');
  t.true(covers({ all: [away] }, { all: [de, { all: [away] }] }, lookup));
  t.true(covers(away, { segment: 'lapsed' }, lookup));
  t.true(covers({ segment: 'payer' }, { segment: 'lapsed' }, lookup), 'lapsed requires payer');
  t.true(
    covers(
      { value: 14, operator: 'greaterThanInclusive', fact: 'user.daysSinceLastSeen' } as Condition,
      away,
      lookup,
    ),
  );
});

test('equal and in narrow to a subset of an in list; nothing wider, nothing only possible', (t) => {
  t.true(covers(variations([1, 2]), variations([2]), lookup));
  t.true(covers(variations([1, 2]), { fact: 'assignment.variationId', operator: 'equal', value: 1 }, lookup));
  t.false(covers(variations([1]), variations([1, 2]), lookup));
  t.false(covers(away, { any: [away, de] }, lookup), 'one branch of an any is not required');
  t.false(covers(away, { not: away }, lookup));
  t.false(covers(de, null, lookup), 'a rule without conditions is wider than any condition');
  // json-rules-engine compares list items with ===: two equal-looking objects never match, so no narrowing is claimed.
  t.false(
    covers(
      { fact: 'x', operator: 'in', value: [{ a: 1 }, { b: 2 }] },
      { fact: 'x', operator: 'in', value: [{ a: 1 }] },
      lookup,
    ),
  );
});
