import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { AppLoader } from '../../src/rules/app-loader.js';
import { displayPath } from '../../src/rules/display-path.js';
import { RulesRegistry } from '../../src/rules/rules-registry.js';
import { RulesWatcher } from '../../src/rules/rules-watcher.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { silentLogger } from '../helpers/silent-logger.js';

async function setup(t: Parameters<typeof copyOfShippedRules>[0]) {
  const dir = await copyOfShippedRules(t);
  const registry = new RulesRegistry({ rulesDir: dir, loader: new AppLoader(), logger: silentLogger });
  await registry.reload(undefined, 'start');
  const file = path.join(dir, 'demo', 'segments.yaml');
  const original = await readFile(file, 'utf8');
  const bump = (n: number) => original.replace(/^version: .*$/m, `version: ${n}`);
  return { dir, registry, file, original, bump };
}

const statusOf = (registry: RulesRegistry) => registry.status().find((s) => s.appId === 'demo');

test('a bumped version is activated by reload, with what changed in the history', async (t) => {
  const { registry, file, bump } = await setup(t);
  const before = registry.current('demo');
  await writeFile(file, bump(41));
  const [outcome] = await registry.reload('demo');
  t.is(outcome?.result, 'activated');
  t.regex(registry.current('demo')?.version ?? '', /segments:41/);
  const history = statusOf(registry)?.history ?? [];
  t.is(history.length, 2);
  t.deepEqual(history[0]?.changed, { added: [], removed: [], modified: [displayPath(file)] });
  t.not(history[0]?.hash, before?.hash);
  t.true((history[0]?.ms ?? -1) >= 0, 'each activation records how long loading the files took');
});

test('an unchanged reload activates nothing', async (t) => {
  const { registry } = await setup(t);
  const [outcome] = await registry.reload('demo');
  t.is(outcome?.result, 'unchanged');
  t.is(statusOf(registry)?.history.length, 1);
});

test('a broken file keeps the last good rules serving and reports file:line:col; the fix goes live', async (t) => {
  const { registry, file, bump } = await setup(t);
  const good = registry.current('demo');
  await writeFile(file, `${bump(5)}  - id: [broken\n`);
  const [failed] = await registry.reload('demo');
  t.is(failed?.result, 'failed');
  t.is(registry.current('demo'), good, 'the same snapshot object keeps serving');
  const error = statusOf(registry)?.lastError;
  t.regex(error?.problems[0] ?? '', /segments\.yaml:\d+:\d+ /);
  await writeFile(file, bump(6));
  await registry.reload('demo');
  t.regex(registry.current('demo')?.version ?? '', /segments:6/);
  t.is(statusOf(registry)?.lastError, null);
});

test('rollback re-activates an earlier snapshot and pins it until an explicit reload', async (t) => {
  const { registry, file, bump } = await setup(t);
  const first = registry.current('demo');
  await writeFile(file, bump(2));
  await registry.reload('demo');
  const rolled = await registry.rollback('demo', first?.hash ?? '');
  t.is(rolled?.hash, first?.hash);
  t.is(registry.current('demo')?.hash, first?.hash);
  // A file change while pinned is validated but waits.
  await writeFile(file, bump(3));
  const [pinned] = await registry.reload('demo', 'watch');
  t.is(pinned?.result, 'pinned');
  t.is(registry.current('demo')?.hash, first?.hash);
  t.truthy(statusOf(registry)?.pinned?.pendingHash);
  // An explicit reload unpins and activates the files.
  await registry.reload('demo', 'reload');
  t.regex(registry.current('demo')?.version ?? '', /segments:3/);
  t.is(statusOf(registry)?.pinned, null);
  t.is(await registry.rollback('demo', 'no-such-hash'), undefined);
});

test('the watcher picks up a rename-over save within 2 seconds, and ignores editor swap files', async (t) => {
  const { dir, registry, file, bump } = await setup(t);
  const watcher = new RulesWatcher(registry, silentLogger, 100);
  await watcher.start();
  t.teardown(() => watcher.close());
  await writeFile(path.join(dir, 'demo', '.segments.yaml.swp'), 'not yaml: [');
  // Editors write a temp file and rename it over the original.
  const tmp = path.join(dir, 'demo', 'segments.yaml.new');
  await writeFile(tmp, bump(77));
  await rename(tmp, file);
  const deadline = Date.now() + 2000;
  while (!registry.current('demo')?.version.includes('segments:77') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
  }
  t.regex(registry.current('demo')?.version ?? '', /segments:77/);
  t.is(statusOf(registry)?.lastError, null);
});

test('concurrent reloads of one app run one after another', async (t) => {
  const { registry, file, bump } = await setup(t);
  await writeFile(file, bump(9));
  const outcomes = (
    await Promise.all([registry.reload('demo'), registry.reload('demo'), registry.reload('demo')])
  ).flat();
  t.deepEqual(
    outcomes.map((o) => o.result),
    ['activated', 'unchanged', 'unchanged'],
  );
});
