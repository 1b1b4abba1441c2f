import test from 'ava';
import fc from 'fast-check';
import { countJsonValues as bannerCount } from '../src/banner/domain/json-values.js';
import { countJsonValues as journeysCount } from '../src/journeys/domain/json-values.js';

/** The plain recursive count, on what JSON would hold. */
const reference = (v: unknown): number =>
  v === null || typeof v !== 'object'
    ? 1
    : 1 + Object.values(v).reduce((n: number, x) => n + reference(x), 0);

// Each API's domain has its own copy (a domain imports nothing of ours outside it): both are held here.
for (const [api, countJsonValues] of [
  ['banner', bannerCount],
  ['journeys', journeysCount],
] as const) {
  test(`${api}: every object, array and scalar counts one; keys do not`, (t) => {
    t.is(countJsonValues({ a: [1, {}] }), 4);
    t.is(countJsonValues(null), 1);
    t.is(countJsonValues('x'.repeat(1000)), 1);
    t.is(countJsonValues([]), 1);
    t.is(countJsonValues({ gone: undefined, list: [undefined] }), 3, 'as JSON has it: no key, a null item');
    fc.assert(
      fc.property(fc.jsonValue(), (v) => countJsonValues(v) === reference(JSON.parse(JSON.stringify(v)))),
    );
  });

  test(`${api}: counting stops just past the bound, however many values there are`, (t) => {
    const empties = Array.from({ length: 100_000 }, () => ({}));
    t.is(countJsonValues(empties, 10), 11);
    t.is(countJsonValues(empties, 100_001), 100_001, 'at the bound: the whole count');
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    t.is(countJsonValues(deep), 100_001, 'iterative: no stack overflow');
  });
}
