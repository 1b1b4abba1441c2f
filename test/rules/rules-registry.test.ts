import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { pino } from 'pino';
import { createAppLoader } from '../../src/apis.js';
import { displayPath } from '../../src/rules/display-path.js';
import type { RequiredKind } from '../../src/rules/required-kinds.js';
import { RulesRegistry } from '../../src/rules/rules-registry.js';
import { RulesWatcher } from '../../src/rules/rules-watcher.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { silentLogger } from '../helpers/silent-logger.js';

const DEMO_NEEDS: RequiredKind[] = [
  { kind: 'Banner', neededBy: 'the banner API needs it' },
  { kind: 'Offerwall', neededBy: 'the offerwall API needs it' },
  { kind: 'Journeys', neededBy: 'the journeys API needs it' },
];

async function setup(
  t: Parameters<typeof copyOfShippedRules>[0],
  requiredKinds: readonly RequiredKind[] = DEMO_NEEDS,
) {
  const dir = await copyOfShippedRules(t);
  const registry = new RulesRegistry({
    rulesDir: dir,
    loader: createAppLoader(),
    logger: silentLogger,
    requiredKinds: () => requiredKinds,
  });
  await registry.reload(undefined, 'start');
  const file = path.join(dir, 'demo', 'segments.yaml');
  const original = await readFile(file, 'utf8');
  const bump = (n: number) => original.replace(/^version: .*$/m, `version: ${n}`);
  return { dir, registry, file, original, bump };
}

const statusOf = (registry: RulesRegistry) => registry.status().find((s) => s.appId === 'demo');

/** A registry rolled back (pinned) to the shipped rules, with a broken file on disk since. */
async function pinnedWithBrokenFile(t: Parameters<typeof copyOfShippedRules>[0]) {
  const { registry, file, bump } = await setup(t);
  const first = registry.current('demo');
  await writeFile(file, bump(2));
  await registry.reload('demo');
  await registry.rollback('demo', first?.hash ?? '');
  await writeFile(file, `${bump(5)}  - id: [broken\n`);
  return { registry, file, bump, first };
}

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

test('a reload that fails while pinned still ends the rollback: the last good rules serve, the fixed file goes live by the watcher', async (t) => {
  const { registry, file, bump, first } = await pinnedWithBrokenFile(t);
  const [failed] = await registry.reload('demo', 'reload');
  t.is(failed?.result, 'failed');
  t.is(registry.current('demo')?.hash, first?.hash, 'the rolled-back rules keep serving');
  t.is(statusOf(registry)?.pinned, null, 'unpinned: the reload ended the rollback');
  t.regex(statusOf(registry)?.lastError?.problems[0] ?? '', /segments\.yaml:\d+:\d+ /);
  await writeFile(file, bump(6));
  const [fixed] = await registry.reload('demo', 'watch');
  t.is(fixed?.result, 'activated');
  t.regex(registry.current('demo')?.version ?? '', /segments:6/);
  t.is(statusOf(registry)?.lastError, null);
});

test('while a reload that fails runs on a pinned app, its status never reads unpinned without the error', async (t) => {
  const { registry } = await pinnedWithBrokenFile(t);
  let done = false;
  const pending = registry.reload('demo', 'reload').finally(() => {
    done = true;
  });
  const seen: { pinned: boolean; error: boolean }[] = [];
  while (!done) {
    const s = statusOf(registry);
    seen.push({ pinned: s?.pinned != null, error: s?.lastError != null });
    await new Promise((resolve) => setImmediate(resolve));
  }
  await pending;
  t.true(seen.length > 1, 'the status was read while the reload ran');
  t.deepEqual(
    seen.filter((s) => !s.pinned && !s.error),
    [],
    'pinned until the outcome, which comes with the error',
  );
  t.is(statusOf(registry)?.pinned, null);
  t.truthy(statusOf(registry)?.lastError);
});

test("a rollback to another instance's snapshot files: served and pinned here, refused unless they are its hash", async (t) => {
  const other = await setup(t);
  const { registry, dir, file, bump } = await setup(t);
  const shipped = other.registry.current('demo')?.hash ?? '';
  await writeFile(other.file, other.bump(2));
  await other.registry.reload('demo');
  const files = other.registry.snapshotFiles('demo', shipped) ?? [];
  t.true(files.length > 0 && files.every((f) => !f.name.includes('/')), 'by name: paths differ per instance');
  // This instance's files moved on: what serves and what disk holds is another snapshot.
  await writeFile(file, bump(7));
  await registry.reload('demo');
  const altered = files.map((f, i) => (i === 0 ? { ...f, text: `${f.text}\n` } : f));
  t.is(await registry.rollback('demo', shipped, altered), undefined, 'files that are not that hash');
  t.is((await registry.rollback('demo', shipped, files))?.hash, shipped);
  const pinned = statusOf(registry)?.pinned;
  t.is(pinned?.hash, shipped);
  t.deepEqual(
    pinned?.filesOnDisk.map((f) => f.file),
    [displayPath(path.join(dir, 'demo', 'segments.yaml'))],
    'compared with its own files, by its own paths',
  );
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

test('a change the watcher never reported is reloaded by the reconcile, and the watch is made anew', async (t) => {
  const { registry, file, bump } = await setup(t);
  const watcher = new RulesWatcher(registry, silentLogger, 100, 300);
  await watcher.start();
  t.teardown(() => watcher.close());
  t.false(await registry.changedOnDisk('demo'));
  // What inotify does under load: events stop coming. The chokidar watch is closed behind
  // the watcher's back, so only the reconcile can see the next save.
  await (watcher as unknown as { watcher: { close(): Promise<void> } }).watcher.close();
  await writeFile(file, bump(88));
  t.true(await registry.changedOnDisk('demo'));
  const waitFor = async (version: string) => {
    const deadline = Date.now() + 3000;
    while (!registry.current('demo')?.version.includes(version) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
    return registry.current('demo')?.version ?? '';
  };
  t.regex(await waitFor('segments:88'), /segments:88/);
  // Later saves go live too (the watch was made anew).
  await writeFile(file, bump(89));
  t.regex(await waitFor('segments:89'), /segments:89/);
  t.false(await registry.changedOnDisk('demo'));
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

/** Reloads after `edit` and checks that it was refused while the same snapshot kept serving. */
async function refused(
  t: Parameters<typeof copyOfShippedRules>[0],
  registry: RulesRegistry,
  edit: () => Promise<unknown>,
): Promise<string[]> {
  const good = registry.current('demo');
  await edit();
  const [outcome] = await registry.reload('demo');
  t.is(outcome?.result, 'failed');
  t.is(registry.current('demo'), good, 'the last good snapshot keeps serving');
  const error = statusOf(registry)?.lastError;
  t.deepEqual(error?.serving, { version: good?.version, hash: good?.hash });
  return error?.problems ?? [];
}

test('an emptied app directory is refused: the last good rules keep serving', async (t) => {
  const { dir, registry } = await setup(t, []);
  const app = path.join(dir, 'demo');
  const good = registry.current('demo');
  const problems = await refused(t, registry, async () => {
    for (const name of await readdir(app)) await rm(path.join(app, name), { recursive: true });
  });
  t.deepEqual(problems, [
    `${displayPath(app)}: no rule files (*.yaml) in the app's directory; the last good version ${good?.version} (hash ${good?.hash}) keeps serving`,
  ]);
});

test('a deleted Banner, Offerwall or Journeys kind is refused, naming the file that had it', async (t) => {
  const { dir, registry } = await setup(t);
  const good = registry.current('demo');
  const keeps = `the last good version ${good?.version} (hash ${good?.hash}) keeps serving`;
  const file = (name: string) => path.join(dir, 'demo', name);
  const banner = await readFile(file('banner.yaml'), 'utf8');
  t.deepEqual(await refused(t, registry, () => rm(file('banner.yaml'))), [
    `${displayPath(file('banner.yaml'))}: kind Banner missing (deleted or renamed?): the banner API needs it; ${keeps}`,
  ]);
  await writeFile(file('banner.yaml'), banner);
  t.deepEqual(await refused(t, registry, () => rename(file('offerwall.yaml'), file('offerwall.yaml.off'))), [
    `${displayPath(file('offerwall.yaml'))}: kind Offerwall missing (deleted or renamed?): the offerwall API needs it; ${keeps}`,
  ]);
  await rename(file('offerwall.yaml.off'), file('offerwall.yaml'));
  // One of two Journeys files may go; both may not.
  await rm(file('journeys.yaml'));
  const [fewer] = await registry.reload('demo');
  t.is(fewer?.result, 'activated');
  const now = registry.current('demo');
  t.deepEqual(await refused(t, registry, () => rm(file('journeys-offers.yaml'))), [
    `${displayPath(file('journeys-offers.yaml'))}: kind Journeys missing (deleted or renamed?): the journeys API needs it; the last good version ${now?.version} (hash ${now?.hash}) keeps serving`,
  ]);
});

test('kinds no API of the app needs may be removed', async (t) => {
  const { dir, registry } = await setup(t, [{ kind: 'Banner', neededBy: 'the banner API needs it' }]);
  await rm(path.join(dir, 'demo', 'offerwall.yaml'));
  const [outcome] = await registry.reload('demo');
  t.is(outcome?.result, 'activated');
  t.is(registry.current('demo')?.offerwall, null);
});

test('a snapshot missing a needed kind never activates at start: the app is not ready', async (t) => {
  const dir = await copyOfShippedRules(t);
  await rm(path.join(dir, 'demo', 'banner.yaml'));
  const registry = new RulesRegistry({
    rulesDir: dir,
    loader: createAppLoader(),
    logger: silentLogger,
    requiredKinds: () => DEMO_NEEDS,
  });
  const [outcome] = await registry.reload(undefined, 'start');
  t.is(outcome?.result, 'failed');
  t.is(registry.current('demo'), undefined);
  t.false(registry.ready());
  t.deepEqual(statusOf(registry)?.lastError?.problems, [
    `${displayPath(path.join(dir, 'demo'))}: kind Banner missing: the banner API needs it; the app has no valid rules until it is added`,
  ]);
  t.is(statusOf(registry)?.lastError?.serving, null);
});

test('a loader that throws refuses the snapshot instead of escaping the reload', async (t) => {
  const { registry, file, bump } = await setup(t);
  const loader = createAppLoader();
  loader.load = () => {
    throw new RangeError('Maximum call stack size exceeded');
  };
  const broken = new RulesRegistry({ rulesDir: registry.rulesDir, loader, logger: silentLogger });
  await writeFile(file, bump(3));
  const [outcome] = await broken.reload('demo');
  t.is(outcome?.result, 'failed');
  t.regex(
    statusOf(broken)?.lastError?.problems[0] ?? '',
    /demo: loading failed unexpectedly: Maximum call stack/,
  );
});

test('a removed app directory is refused and said so plainly', async (t) => {
  const { dir, registry } = await setup(t);
  const problems = await refused(t, registry, () => rm(path.join(dir, 'demo'), { recursive: true }));
  t.deepEqual(problems, [`${displayPath(path.join(dir, 'demo'))}: the app's rules directory is missing`]);
});

test('a rollback explains itself: history entries carry the changed lines, pendingHash and filesOnDisk name what disk holds', async (t) => {
  const { registry, file, bump } = await setup(t);
  const first = registry.current('demo');
  await writeFile(file, bump(2));
  await registry.reload('demo');
  const [bad] = statusOf(registry)?.history ?? [];
  const name = displayPath(file);
  t.deepEqual(
    bad?.diff.map((d) => [d.file, d.status, d.hunks.map((h) => h.lines)]),
    [[name, 'modified', [['-version: 1', '+version: 2']]]],
  );
  t.is(bad?.diff[0]?.hunks[0]?.oldLine, bad?.diff[0]?.hunks[0]?.newLine);
  const badHash = registry.current('demo')?.hash;
  await registry.rollback('demo', first?.hash ?? '');
  // Right after the rollback the files on disk still hold the bad change: said plainly.
  const pinned = statusOf(registry)?.pinned;
  t.is(pinned?.pendingHash, badHash);
  t.deepEqual(pinned?.filesOnDisk, [{ file: name, status: 'modified', changedLines: 2 }]);
  t.regex(pinned?.summary ?? '', /1 file\(s\) on disk differ from it \(.*segments\.yaml modified\)/);
  const [rollback] = statusOf(registry)?.history ?? [];
  t.is(rollback?.reason, 'rollback');
  t.deepEqual(rollback?.diff[0]?.hunks[0]?.lines, ['-version: 2', '+version: 1']);
  // Restoring the file on disk: nothing is pending any more.
  await writeFile(file, bump(1));
  await registry.reload('demo', 'watch');
  t.is(statusOf(registry)?.pinned?.pendingHash, null);
  t.deepEqual(statusOf(registry)?.pinned?.filesOnDisk, []);
});

test('a file whose content changed but whose version did not still goes live, with a warning naming it; a bump clears it', async (t) => {
  const { dir, file, original, bump } = await setup(t);
  const logged: { msg: string; warnings?: string[] }[] = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => logged.push(JSON.parse(line) as { msg: string; warnings?: string[] }) },
  );
  // A registry of its own, to read what it logs.
  const registry = new RulesRegistry({
    rulesDir: dir,
    loader: createAppLoader(),
    logger,
    requiredKinds: () => DEMO_NEEDS,
  });
  await registry.reload(undefined, 'start');
  const before = registry.current('demo');
  await writeFile(file, original.replace('value: 3', 'value: 4'));
  const [outcome] = await registry.reload('demo');
  t.is(outcome?.result, 'activated', 'hot reload is not blocked');
  t.not(registry.current('demo')?.hash, before?.hash);
  t.is(registry.current('demo')?.version, before?.version, 'the version string cannot tell the two apart');
  const expected = new RegExp(
    `^${displayPath(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:1 content changed but version 1 was not bumped`,
  );
  const warnings = outcome?.result === 'activated' ? outcome.warnings : [];
  t.is(warnings.length, 1, warnings.join('\n'));
  t.regex(warnings[0] ?? '', expected);
  const status = statusOf(registry);
  t.deepEqual(
    status?.warnings.map((w) => [w.file, w.line, w.col]),
    [[displayPath(file), 3, 1]],
  );
  t.regex(status?.warnings[0]?.message ?? '', /^content changed but version 1 was not bumped/);
  t.true(
    logged.some((l) => (l.warnings ?? []).some((w) => expected.test(w))),
    JSON.stringify(logged),
  );

  // Going back to an earlier snapshot on purpose is no unbumped edit, though its version is the same.
  const rolled = await registry.rollback('demo', before?.hash ?? '');
  t.is(rolled?.hash, before?.hash);
  t.deepEqual(statusOf(registry)?.warnings, []);

  await writeFile(file, bump(2).replace('value: 3', 'value: 5'));
  const [bumped] = await registry.reload('demo');
  t.is(bumped?.result, 'activated');
  t.deepEqual(bumped?.result === 'activated' ? bumped.warnings : null, []);
  t.deepEqual(statusOf(registry)?.warnings, []);
});

test('a rejected change is an error line for an app whose APIs need rules, an info line for one that needs none (disabled)', async (t) => {
  const dir = await copyOfShippedRules(t);
  await rm(path.join(dir, 'demo'), { recursive: true });
  const levels = async (needs: readonly RequiredKind[]) => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const registry = new RulesRegistry({
      rulesDir: dir,
      apps: ['demo'],
      loader: createAppLoader(),
      logger,
      requiredKinds: () => needs,
    });
    await registry.reload(undefined, 'start');
    await registry.reload('demo', 'watch');
    return lines.filter((l) => l.msg.startsWith('rules rejected'));
  };
  const needed = await levels(DEMO_NEEDS);
  t.deepEqual(
    needed.map((l) => l.level),
    [50, 50],
  );
  // At start the store's kept snapshot may serve next: the line does not call it an outage.
  t.is(
    needed[0]?.msg,
    'rules rejected; the last good rules the store kept serve instead, if it kept any (said next); else its APIs answer 503 until rules without these problems are loaded',
  );
  // Nothing served before: the line says so (it said "the last good rules keep serving").
  t.is(
    needed[1]?.msg,
    'rules rejected; no rules serve this app: its APIs answer 503 until rules without these problems are loaded',
  );
  t.deepEqual(
    (await levels([])).map((l) => l.level),
    [30, 30],
  );
});

test('files from a store are checked whatever their shape before a rollback may serve them: only a snapshot of the hash holds it', async (t) => {
  const { registry } = await setup(t);
  const hash = registry.current('demo')?.hash ?? '';
  const files = registry.snapshotFiles('demo', hash);
  t.true(registry.holdsHash('demo', hash, files));
  // What an operator's edit of offerd_rules_kept can leave: each was a TypeError, a 500 on every instance.
  for (const bad of ['x', [1, 2], null, {}, [{ name: 'banner.yaml' }], [{ name: 1, text: 'x' }]]) {
    t.false(registry.holdsHash('demo', hash, bad), JSON.stringify(bad));
    // null is "no files given": the history's, which holds this hash.
    if (bad !== null)
      t.is(await registry.rollback('demo', hash, bad as never), undefined, JSON.stringify(bad));
  }
  const edited = (files ?? []).map((f, i) => (i === 0 ? { ...f, text: `${f.text}#\n` } : f));
  t.false(registry.holdsHash('demo', hash, edited), 'files that are not that hash');
});

/** A fixtures gate that refuses every snapshot whose segments file is at version 3. */
const GATE_FAILURE =
  "rules/demo/tests/banner.yaml:12 fixture 'a payer': banner: expected payer-hero, got default";
const refusesSegments3 = async (_appId: string, rules: { version: string }) =>
  /segments:3(,|$)/.test(rules.version) ? [GATE_FAILURE] : [];

async function gatedSetup(t: Parameters<typeof copyOfShippedRules>[0], dir?: string) {
  const rulesDir = dir ?? (await copyOfShippedRules(t));
  const registry = new RulesRegistry({
    rulesDir,
    loader: createAppLoader(),
    logger: silentLogger,
    requiredKinds: () => DEMO_NEEDS,
    gate: refusesSegments3,
  });
  await registry.reload(undefined, 'start');
  const file = path.join(rulesDir, 'demo', 'segments.yaml');
  const original = await readFile(file, 'utf8');
  const bump = (n: number) => original.replace(/^version: .*$/m, `version: ${n}`);
  return { dir: rulesDir, registry, file, bump };
}

test('after a rollback, files on disk the fixtures gate refused stay refused with their problems, also when checked again; files that pass clear it', async (t) => {
  const { registry, file, bump } = await gatedSetup(t);
  const first = registry.current('demo');
  await writeFile(file, bump(2));
  t.is((await registry.reload('demo', 'watch'))[0]?.result, 'activated');
  await writeFile(file, bump(3));
  t.is((await registry.reload('demo', 'watch'))[0]?.result, 'failed');
  const refused = statusOf(registry)?.lastError;
  t.deepEqual(refused?.problems, [GATE_FAILURE]);

  await registry.rollback('demo', first?.hash ?? '');
  const pinned = statusOf(registry);
  t.is(pinned?.pinned?.pendingHash, refused?.hash, 'the refused files wait on disk');
  t.like(pinned?.lastError, {
    hash: refused?.hash,
    problems: [GATE_FAILURE],
    serving: { version: first?.version, hash: first?.hash },
  });
  // The watcher's safety net sees nothing new to check: only the rollback can keep saying it.
  t.false(await registry.changedOnDisk('demo'));
  // A watcher event on the same files checks them again: still refused.
  t.is((await registry.reload('demo', 'watch'))[0]?.result, 'failed');
  t.like(statusOf(registry)?.lastError, { hash: refused?.hash, problems: [GATE_FAILURE] });
  t.is(statusOf(registry)?.pinned?.pendingHash, refused?.hash);

  // Files that pass the gate: pending, and no longer refused.
  await writeFile(file, bump(4));
  t.is((await registry.reload('demo', 'watch'))[0]?.result, 'pinned');
  t.is(statusOf(registry)?.lastError, null);
  t.truthy(statusOf(registry)?.pinned?.pendingHash);
});

test('a restart on refused files that joins the rollback in force still says the files on disk are refused', async (t) => {
  const { dir, registry, file, bump } = await gatedSetup(t);
  const first = registry.current('demo');
  await writeFile(file, bump(2));
  await registry.reload('demo', 'watch');
  const second = registry.current('demo');
  await registry.rollback('demo', first?.hash ?? '');
  await writeFile(file, bump(3));
  t.is((await registry.reload('demo', 'watch'))[0]?.result, 'failed');
  const refusedHash = statusOf(registry)?.lastError?.hash;

  // The restart, as main.ts runs it: the files fail, the last good snapshot is restored, and the
  // rollback in force is joined with the texts the shared log carries.
  const { registry: restarted } = await gatedSetup(t, dir);
  t.is(restarted.current('demo'), undefined);
  const files = (hash: string | undefined) => registry.snapshotFiles('demo', hash ?? '') ?? [];
  await restarted.restore('demo', { hash: second?.hash ?? '', files: files(second?.hash) });
  await restarted.rollback('demo', first?.hash ?? '', files(first?.hash));
  const status = statusOf(restarted);
  t.is(restarted.current('demo')?.hash, first?.hash);
  t.is(status?.pinned?.pendingHash, refusedHash);
  t.like(status?.lastError, {
    hash: refusedHash,
    problems: [GATE_FAILURE],
    serving: { version: first?.version, hash: first?.hash },
  });
});

test('a rollback with files on disk that loaded says no error', async (t) => {
  const { registry, file, bump } = await gatedSetup(t);
  const first = registry.current('demo');
  await writeFile(file, bump(2));
  await registry.reload('demo', 'watch');
  await writeFile(file, bump(3));
  await registry.reload('demo', 'watch');
  // Fixed before the rollback: the refusal is of files no longer on disk.
  await writeFile(file, bump(5));
  await registry.reload('demo', 'watch');
  await registry.rollback('demo', first?.hash ?? '');
  t.is(statusOf(registry)?.lastError, null);
  t.truthy(statusOf(registry)?.pinned?.pendingHash);
});
