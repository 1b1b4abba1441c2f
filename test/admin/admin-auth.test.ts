/**
 * The admin token is read from `Authorization: Bearer <token>` in time linear in the header:
 * the header arrives before any authentication, from anyone.
 */
import test from 'ava';
import { bearerToken } from '../../src/admin/admin-auth.js';

test('the bearer token is the text between Bearer and HTTP whitespace, nothing else', (t) => {
  t.is(bearerToken('Bearer abc'), 'abc');
  t.is(bearerToken('bearer \t abc \t '), 'abc', 'scheme in any case, spaces and tabs around');
  t.is(bearerToken('Bearer a b'), 'a b', 'inner spaces belong to the token');
  t.is(bearerToken('Bearer abc\u00a0'), 'abc\u00a0', 'a no-break space is not HTTP whitespace');
  t.is(bearerToken('Bearer    '), null);
  t.is(bearerToken('Bearerabc'), null);
  t.is(bearerToken('Basic abc'), null);
  t.is(bearerToken(''), null);
});

test('a header of 200,000 spaces before a last character is read in linear time', (t) => {
  // The regex this replaced backtracked quadratically on such a run: 15,500 spaces took
  // 0.2 s, so 200,000 took over half a minute. Linear, it is well under a millisecond; the
  // bound leaves three orders of magnitude for a loaded machine.
  const hostile = `Bearer a${' '.repeat(200_000)}x`;
  const started = performance.now();
  t.is(bearerToken(hostile), `a${' '.repeat(200_000)}x`);
  t.true(performance.now() - started < 1000, `${Math.round(performance.now() - started)} ms`);
});
