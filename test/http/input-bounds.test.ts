import test from 'ava';
import fc from 'fast-check';
import {
  DEFAULT_INPUT_BOUNDS,
  findOutOfBounds,
  nestsDeeperThan,
  textShapeProblem,
} from '../../src/http/input-bounds.js';

const nested = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

test('values within the bounds pass; the first one out of them is named by its field', (t) => {
  t.is(findOutOfBounds({ userId: 'u', context: { tags: ['a', 'b'], n: 1 } }), null);
  t.is(findOutOfBounds(nested(32)), null);
  t.like(findOutOfBounds(nested(33)), { message: 'is nested deeper than 32 levels' });
  t.deepEqual(findOutOfBounds({ metadata: { list: [1, 'x'.repeat(70_000)] } }), {
    field: 'metadata.list[1]',
    message: 'is longer than 65536 characters',
  });
  t.deepEqual(findOutOfBounds({ events: new Array(2001).fill(0) }), {
    field: 'events',
    message: 'has more than 2000 items',
  });
  const wide = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]));
  t.deepEqual(findOutOfBounds({ properties: wide }), {
    field: 'properties',
    message: 'has more than 1000 keys',
  });
  t.deepEqual(findOutOfBounds({ a: [{ ['x'.repeat(300)]: 1 }] }), {
    field: 'a[0]',
    message: 'has a key longer than 256 characters',
  });
});

test('prototype keys are refused wherever they are', (t) => {
  t.deepEqual(findOutOfBounds(JSON.parse('{"a":[{"b":{"__proto__":{"x":1}}}]}')), {
    field: 'a[0].b.__proto__',
    message: 'key is not allowed',
  });
  t.deepEqual(findOutOfBounds({ constructor: { prototype: {} } }), {
    field: 'constructor',
    message: 'key is not allowed',
  });
});

test('numbers past what a double holds (1e400 parses as Infinity) are refused wherever they are', (t) => {
  t.deepEqual(findOutOfBounds(JSON.parse('{"context":{"a":[1,-1e400]}}')), {
    field: 'context.a[1]',
    message: 'is not a finite number',
  });
  t.deepEqual(findOutOfBounds(JSON.parse('1e999')), { field: 'body', message: 'is not a finite number' });
  t.is(findOutOfBounds(JSON.parse('{"a":1.7976931348623157e308,"b":-0,"c":5e-324}')), null);
});

test('the walk is iterative: a million levels are refused without overflowing the stack', (t) => {
  const deep = nested(1_000_000);
  t.like(findOutOfBounds(deep), { message: `is nested deeper than ${DEFAULT_INPUT_BOUNDS.maxDepth} levels` });
  t.is(findOutOfBounds(deep, { ...DEFAULT_INPUT_BOUNDS, maxDepth: 2_000_000 }), null);
});

/** Whether the text nests deeper than `max`, its containers not counted. */
const textNestsDeeperThan = (text: string, max: number) =>
  textShapeProblem(text, { maxDepth: max, maxContainers: INF, maxMembers: INF }) !== null;

const INF = Number.POSITIVE_INFINITY;

/** Whether the text holds at most `n` objects and arrays, read on the text. */
const containersFit = (text: string, n: number) =>
  textShapeProblem(text, { maxDepth: 100, maxContainers: n, maxMembers: INF }) === null;

/** Whether the text holds at most `n` array items and object members, read on the text. */
const membersFit = (text: string, n: number) =>
  textShapeProblem(text, { maxDepth: 100, maxContainers: INF, maxMembers: n }) === null;

/** Array items and object members in a parsed value, each counted once. */
function membersIn(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const items = Array.isArray(value) ? value : Object.values(value);
  return items.length + items.reduce((n: number, v) => n + membersIn(v), 0);
}

/** Objects and arrays in a parsed value. */
function containersIn(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const items = Array.isArray(value) ? value : Object.values(value);
  return 1 + items.reduce((n: number, v) => n + containersIn(v), 0);
}

test('the objects and arrays counted on JSON text are those of the value it parses to; past the bound the body is refused unparsed', (t) => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
      const text = JSON.stringify(value);
      const n = containersIn(value);
      return containersFit(text, n) && (n === 0 || !containersFit(text, n - 1));
    }),
    { numRuns: 500 },
  );
  const bomb = `{"a":[${Array(130)
    .fill(`[${Array(1999).fill('{}').join(',')}]`)
    .join(',')}]}`;
  t.is(textShapeProblem(bomb, DEFAULT_INPUT_BOUNDS), 'holds more than 20000 objects and arrays');
  t.true(containersFit('{"a":"{{{{[[[["}', 1), 'brackets inside a string are text');
});

test('the members counted on JSON text are those of the value it parses to, whitespace and commas in strings aside; past the bound the body is refused unparsed', (t) => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), fc.boolean(), (value, pretty) => {
      const text = pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value);
      const n = membersIn(value);
      return membersFit(text, n) && (n === 0 || !membersFit(text, n - 1));
    }),
    { numRuns: 500 },
  );
  t.true(membersFit('{"a":",,,,[{,"}', 1), 'commas inside a string are text');
  t.true(membersFit('[ ]', 0) && membersFit('{ \n }', 0), 'an empty array or object has no member');
  const zeros = `{"a":[${Array(499_990).fill('0').join(',')}]}`;
  t.is(
    textShapeProblem(zeros, DEFAULT_INPUT_BOUNDS),
    'holds more than 100000 array items and object members',
  );
});

test('the nesting read from JSON text is the nesting of the value it parses to, brackets in strings aside', (t) => {
  t.false(textNestsDeeperThan('{"a":"[[[[{{{{"}', 1), 'brackets inside a string are text');
  t.false(
    textNestsDeeperThan('{"a\\"[[":"\\\\"}', 1),
    'escaped quotes and backslashes do not end a string early',
  );
  t.true(textNestsDeeperThan('[[]]', 1));
  t.false(textNestsDeeperThan('[[]]', 2));
  t.true(textNestsDeeperThan('['.repeat(400_000), 32), 'unclosed brackets count: the parse refuses the rest');
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, max) => {
      return textNestsDeeperThan(JSON.stringify(value), max) === nestsDeeperThan(value, max);
    }),
    { numRuns: 500 },
  );
  t.pass();
});
