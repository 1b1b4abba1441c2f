import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { createAppLoader, createCaseRunners } from '../../src/apis.js';
import { loadConfig } from '../../src/config/load-config.js';
import { fixturesGate } from '../../src/fixtures/fixtures-gate.js';
import { servesFixtureApi } from '../../src/required-kinds.js';
import { RulesRegistry } from '../../src/rules/rules-registry.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { silentLogger } from '../helpers/silent-logger.js';

// Newcomer and account-manager probes: a change to fixture files alone reloaded as
// "unchanged", lastError null, and the broken fixture showed only when it refused the next
// rule change, which had nothing to do with it.
test('a change to fixture files alone is checked against the serving rules when it lands', async (t) => {
  const dir = await copyOfShippedRules(t);
  const apps = loadConfig({}).apps;
  const registry = new RulesRegistry({
    rulesDir: dir,
    loader: createAppLoader(),
    logger: silentLogger,
    gate: fixturesGate(dir, apps, createCaseRunners(), servesFixtureApi),
  });
  await registry.reload(undefined, 'start');
  const serving = registry.current('demo')?.hash;
  t.truthy(serving);
  const file = path.join(dir, 'demo', 'tests', 'banner.yaml');
  const shipped = await readFile(file, 'utf8');
  t.true(shipped.includes('    api: banner\n'));
  await writeFile(file, shipped.replace('    api: banner\n', '    api: banners\n'));

  const [broken] = await registry.reload('demo', 'watch');
  t.is(broken?.result, 'failed');
  const status = registry.status().find((a) => a.appId === 'demo');
  t.regex(status?.lastError?.problems.join('\n') ?? '', /tests[/\\]banner\.yaml:\d+/);
  t.is(registry.current('demo')?.hash, serving, 'the rules serving are unchanged');

  await writeFile(file, shipped);
  t.is((await registry.reload('demo', 'watch'))[0]?.result, 'unchanged');
  t.is(registry.status().find((a) => a.appId === 'demo')?.lastError, null);
});
