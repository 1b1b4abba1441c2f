import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { shownPair } from '../../src/fixtures/fixtures-gate.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { ADMIN, startTestService } from '../helpers/start-test-service.js';

// biome-ignore lint/suspicious/noExplicitAny: /admin/rules is read field by field
type Json = Record<string, any>;

// Valid, but 'lapsed' now needs 1400 days away: the lapsed-player fixture no longer holds.
const lapseLater = (text: string) =>
  text.replace(
    'fact: user.daysSinceLastSeen\n        operator: greaterThanInclusive\n        value: 14\n',
    'fact: user.daysSinceLastSeen\n        operator: greaterThanInclusive\n        value: 1400\n',
  );

test('a valid change whose fixtures fail does not go live: /admin/rules names the failing fixture by file:line', async (t) => {
  const dir = await copyOfShippedRules(t);
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: dir, OFFERD_FIXTURES_GATE: '1' } });
  const status = async () =>
    ((await (await s.fetch('/admin/rules', { headers: ADMIN })).json()) as Json).apps[0] as Json;
  const before = await status();
  const file = path.join(dir, 'demo', 'banner-segments.yaml');
  const text = await readFile(file, 'utf8');
  t.not(lapseLater(text), text, 'the lapsed segment starts at 14 days');
  await writeFile(file, lapseLater(text));
  const reload = await s.fetch('/admin/rules/reload', { method: 'POST', headers: ADMIN });
  t.is(reload.status, 422);
  const after = await status();
  t.is(after.active.hash, before.active.hash, 'the last good rules keep serving');
  const problems = after.lastError.problems as string[];
  t.true(
    problems.some((p) =>
      /tests\/banner\.yaml:\d+ fixture 'a lapsed player .*': segments: .* \(expected .*"lapsed".*, actual \[.*\]\)$/.test(
        p,
      ),
    ),
    problems.join('\n'),
  );
  // Putting the file back lets the rules load again.
  await writeFile(file, text);
  t.is((await s.fetch('/admin/rules/reload', { method: 'POST', headers: ADMIN })).status, 200);
  t.is((await status()).lastError, null);
});

// validate now refuses such a key without running the case (result-keys.ts); the gate runs
// the cases and refuses it as before, in the words validate and offerd test use.
test('fixtures expecting a result no outcome has refuse the reload, naming the key and what was meant', async (t) => {
  const dir = await copyOfShippedRules(t);
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: dir, OFFERD_FIXTURES_GATE: '1' } });
  const status = async () =>
    ((await (await s.fetch('/admin/rules', { headers: ADMIN })).json()) as Json).apps[0] as Json;
  const before = await status();
  const file = path.join(dir, 'demo', 'tests', 'banner.yaml');
  const text = await readFile(file, 'utf8');
  const misspelt = text.replace(
    '      experimentId: champion-spotlight\n',
    '      experimentld: champion-spotlight\n',
  );
  t.not(misspelt, text);
  await writeFile(file, misspelt);
  t.is((await s.fetch('/admin/rules/reload', { method: 'POST', headers: ADMIN })).status, 422);
  const after = await status();
  t.is(after.active.hash, before.active.hash, 'the last good rules keep serving');
  const problems = after.lastError.problems as string[];
  t.true(
    problems.some((p) =>
      /tests\/banner\.yaml:12 fixture '.*': experimentld: no such result 'experimentld' in a banner case: did you mean 'experimentId'\? \(expected "champion-spotlight", actual nothing\)$/.test(
        p,
      ),
    ),
    problems.join('\n'),
  );
});

test('with the gate off (OFFERD_FIXTURES_GATE=0) the same change goes live', async (t) => {
  const dir = await copyOfShippedRules(t);
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: dir, OFFERD_FIXTURES_GATE: '0' } });
  const file = path.join(dir, 'demo', 'banner-segments.yaml');
  await writeFile(file, lapseLater(await readFile(file, 'utf8')));
  t.is((await s.fetch('/admin/rules/reload', { method: 'POST', headers: ADMIN })).status, 200);
});

test('a failed expectation shows where expected and actual differ, even past the first 160 characters', (t) => {
  const common = { experiments: Array.from({ length: 12 }, (_, i) => `experiment-${i}`) };
  const [expected, actual] = shownPair({ ...common, status: 'running' }, { ...common, status: 'stopped' });
  t.not(expected, actual, 'the shown text differs');
  t.regex(expected, /^….*"status":"running"}$/);
  t.regex(actual, /^….*"status":"stopped"}$/);
  t.true(expected.length <= 162);
  // Short values, or values that differ early, are shown from their start.
  t.deepEqual(shownPair({ a: 1 }, { a: 2 }), ['{"a":1}', '{"a":2}']);
  const [long] = shownPair('x'.repeat(400), 'y');
  t.is(long, `"${'x'.repeat(159)}…`);
});
