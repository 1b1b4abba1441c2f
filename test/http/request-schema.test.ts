import test from 'ava';
import { queryInput, RequestSchemas } from '../../src/http/request-schema.js';

const schemas = new RequestSchemas();

test('problems name fields the way clients write them, one per field', (t) => {
  const schema = schemas.compile({
    type: 'object',
    required: ['id'],
    properties: {
      id: { type: 'string' },
      metadata: {
        type: 'object',
        properties: { list: { type: 'array', items: { type: 'integer' } }, 'a/b': { type: 'string' } },
      },
    },
  });
  t.deepEqual(schema.problems({ metadata: { list: [1, 'x', 2.5], 'a/b': 3 } }), [
    { field: 'id', message: 'is required' },
    { field: 'metadata.list[1]', message: 'must be integer' },
    { field: 'metadata.list[2]', message: 'must be integer' },
    { field: 'metadata.a/b', message: 'must be string' },
  ]);
  t.deepEqual(schema.problems('x'), [{ field: 'body', message: 'must be object' }]);
  t.deepEqual(schema.problems({ id: 'a' }), []);
});

test('messages: per field (indexes written []), per keyword, and the field name first when asked', (t) => {
  const schema = schemas.compile(
    {
      type: 'object',
      required: ['wall'],
      properties: {
        wall: { type: 'integer', minimum: 1 },
        tags: { type: 'array', maxItems: 2, items: { type: 'string', maxLength: 3 } },
      },
    },
    {
      messages: { wall: 'must be an integer from 1', tags: { maxItems: 'too many' }, 'tags[]': 'too long' },
      nameInMessage: true,
    },
  );
  t.deepEqual(schema.problems({}), [{ field: 'wall', message: 'wall is required' }]);
  t.deepEqual(schema.problems({ wall: 0, tags: ['a', 'abcd', 'b'] }), [
    { field: 'wall', message: 'wall must be an integer from 1' },
    { field: 'tags', message: 'tags too many' },
    { field: 'tags[1]', message: 'tags[1] too long' },
  ]);
});

test('formats: non-blank, ipv4 as node reads it, and an API’s own', (t) => {
  const own = new RequestSchemas({ even: (v) => v.length % 2 === 0 });
  const schema = own.compile({
    type: 'object',
    properties: {
      name: { type: 'string', format: 'non-blank' },
      ip: { type: 'string', format: 'ipv4' },
      pair: { type: 'string', format: 'even' },
    },
  });
  t.deepEqual(schema.problems({ name: ' x ', ip: '8.8.8.8', pair: 'ab' }), []);
  t.deepEqual(
    schema.problems({ name: ' \t ', ip: '2001:db8::1', pair: 'abc' }).map((p) => p.field),
    ['name', 'ip', 'pair'],
  );
});

test('queryInput: digits only make an integer; empty is absent; a repeated parameter is named', (t) => {
  const declared = {
    properties: {
      n: { type: 'integer' },
      x: { type: 'number' },
      on: { type: 'boolean' },
      s: { type: 'string' },
    },
  };
  t.deepEqual(queryInput({ n: '42', x: '2.5', on: 'true', s: '7', other: '1' }, declared), {
    values: { n: 42, x: 2.5, on: true, s: '7' },
    repeated: [],
  });
  for (const text of ['+5', ' 5', '1e3', '0x10', '5.0', '-1']) {
    t.deepEqual(queryInput({ n: text }, declared).values, { n: text }, text);
  }
  t.deepEqual(queryInput({ on: 'yes', x: '.5' }, declared).values, { on: 'yes', x: '.5' });
  t.deepEqual(queryInput({ n: '', s: ['a', 'b'] }, declared), { values: {}, repeated: ['s'] });
  const schema = schemas.compile({ type: 'object', ...declared });
  t.deepEqual(
    schema.problems(queryInput({ n: '1e3' }, declared).values).map((p) => p.field),
    ['n'],
    'a value not written as the type is refused, not coerced',
  );
});

test('checkQuery: a repeated parameter is one problem; a path parameter is the path’s', (t) => {
  const schema = schemas.compile<{ id: string; n: number }>(
    {
      type: 'object',
      required: ['id', 'n'],
      properties: { id: { type: 'string', minLength: 1 }, n: { type: 'integer' } },
    },
    { nameInMessage: true },
  );
  t.deepEqual(schema.checkQuery({ n: ['1', '2'] }, { id: 'a' }), {
    ok: false,
    problems: [{ field: 'n', message: 'n must be given once' }],
  });
  t.deepEqual(schema.checkQuery({ n: '3', id: ['x', 'y'] }, { id: 'a' }), {
    ok: true,
    value: { n: 3, id: 'a' },
  });
  t.deepEqual(schema.checkQuery({ n: '3' }, { id: '' }), {
    ok: false,
    problems: [{ field: 'id', message: 'id must NOT have fewer than 1 characters' }],
  });
});

test('messages: `*` stands for a property name the client chose', (t) => {
  const schema = schemas.compile(
    {
      type: 'object',
      properties: {
        add: { type: 'object', additionalProperties: { type: 'number' } },
        tags: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
      },
    },
    { messages: { 'add.*': 'must be a number', 'tags.*[]': 'must be a tag' } },
  );
  t.deepEqual(schema.problems({ add: { coins: 'many', 'a.b': 1 }, tags: { colours: ['red', 3] } }), [
    { field: 'add.coins', message: 'must be a number' },
    { field: 'tags.colours[1]', message: 'must be a tag' },
  ]);
});

test('a failed then/else is said once, by its own errors', (t) => {
  const schema = schemas.compile({
    type: 'object',
    properties: { kind: { type: 'string' }, id: { type: 'string' } },
    if: { required: ['kind'], properties: { kind: { const: 'user' } } },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, never awaited
    then: { required: ['id'], properties: { id: { type: 'string' } } },
  });
  t.deepEqual(schema.problems({ kind: 'user' }), [{ field: 'id', message: 'is required' }]);
  t.deepEqual(schema.problems({ kind: 'group' }), []);
});

test('an unknown field of a closed object is named itself, not the object around it', (t) => {
  const schema = new RequestSchemas().compile<unknown>({
    type: 'object',
    properties: { a: { type: 'object', properties: { b: { type: 'string' } }, additionalProperties: false } },
    additionalProperties: false,
  });
  t.deepEqual(schema.problems({ x: 1, a: { b: 'ok', c: 2 } }), [
    { field: 'x', message: 'is not a field of this request' },
    { field: 'a.c', message: 'is not a field of this request' },
  ]);
});
