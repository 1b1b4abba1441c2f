import { readFile } from 'node:fs/promises';
import test from 'ava';
import { AppError } from '../../src/http/app-error.js';
import { ERROR_CATALOGUE, type ErrorCode } from '../../src/http/error-catalogue.js';

// Every AppError code is an ErrorCode (a type error otherwise: `new AppError('NO_SUCH', …)`
// does not compile), so what is left to check is that people can read the same list.

test('docs/errors.md lists exactly the catalogue, each code with its HTTP status', async (t) => {
  const page = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows = [...page.matchAll(/^\| `([A-Z][A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
  const catalogue = Object.entries(ERROR_CATALOGUE).map(([code, e]) => [code, e.status]);
  t.deepEqual(rows, catalogue);
});

test('an AppError answers with its code’s status from the catalogue', (t) => {
  for (const code of Object.keys(ERROR_CATALOGUE) as ErrorCode[]) {
    t.is(new AppError(code, 'x').status, ERROR_CATALOGUE[code].status, code);
  }
  // Only a client error a library raised keeps the library's own status.
  t.is(new AppError('BAD_REQUEST', 'x', [], 422).status, 422);
});

test('one code per meaning: no two codes share a meaning', (t) => {
  const meanings = Object.values(ERROR_CATALOGUE).map((e) => e.meaning);
  t.is(new Set(meanings).size, meanings.length);
});
