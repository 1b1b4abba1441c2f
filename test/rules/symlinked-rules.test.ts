/**
 * Rules behind symbolic links load as the files they point at: a Kubernetes ConfigMap mounts
 * each key as `banner.yaml -> ..data/banner.yaml`, with `..data -> ..2026_…/` swapped
 * atomically on an update. Links were skipped (Dirent.isFile() of a link is false), so such
 * a deployment loaded nothing, and `offerd validate` of a linked app folder checked nothing
 * and exited 0.
 */
import { cp, mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { createAppLoader } from '../../src/apis.js';
import { runCli } from '../../src/cli/main.js';
import { listApps, readAppFiles } from '../../src/rules/app-loader.js';
import { RulesRegistry } from '../../src/rules/rules-registry.js';
import { RulesWatcher } from '../../src/rules/rules-watcher.js';
import { DEMO_KEY } from '../helpers/banner-client.js';
import { silentLogger } from '../helpers/silent-logger.js';
import { ADMIN, startTestService } from '../helpers/start-test-service.js';
import { tempDir } from '../helpers/temp-dir.js';
import { post, REQUEST } from '../helpers/vip-banner.js';

/**
 * `rules/demo` as the kubelet lays out a ConfigMap: the shipped demo files in `..2026_x/`,
 * `..data -> ..2026_x`, and each file (and tests/) a link into `..data/`.
 */
async function configMapRules(t: ExecutionContext): Promise<{ rulesDir: string; app: string }> {
  const rulesDir = await tempDir(t, 'offerd-configmap-');
  const app = path.join(rulesDir, 'demo');
  await mkdir(app);
  await cp('rules/demo', path.join(app, '..2026_x'), { recursive: true });
  await symlink('..2026_x', path.join(app, '..data'));
  for (const name of await readdir('rules/demo')) await symlink(`..data/${name}`, path.join(app, name));
  return { rulesDir, app };
}

/** What the kubelet does on an update: a new timestamped dir, `..data` renamed over, the old dir removed. */
async function swap(app: string, edit: (name: string, text: string) => string): Promise<void> {
  const next = path.join(app, '..2026_y');
  await cp(path.join(app, '..2026_x'), next, { recursive: true });
  for (const name of (await readdir(next)).filter((n) => n.endsWith('.yaml'))) {
    const file = path.join(next, name);
    await writeFile(file, edit(name, await readFile(file, 'utf8')));
  }
  await symlink('..2026_y', path.join(app, '..data_tmp'));
  await rename(path.join(app, '..data_tmp'), path.join(app, '..data'));
  await rm(path.join(app, '..2026_x'), { recursive: true });
}

const bumpSegments = (name: string, text: string) =>
  name === 'segments.yaml' ? text.replace(/^version: .*$/m, 'version: 4242') : text;

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  return check();
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

test('a ConfigMap-like app folder loads every file, and ..data / ..2026_x are not taken as apps', async (t) => {
  const { rulesDir, app } = await configMapRules(t);
  t.deepEqual(await listApps(rulesDir), ['demo']);
  const files = await readAppFiles(rulesDir, 'demo');
  t.deepEqual(
    files.files.map((f) => path.basename(f.path)),
    (await readdir('rules/demo')).filter((n) => n.endsWith('.yaml')).sort(),
  );
  t.true(
    files.files.every((f) => f.path.startsWith(app)),
    'paths are the links people see, not ..data/',
  );
  const result = createAppLoader().load(files);
  t.true(result.ok);
});

test('the service loads and serves a ConfigMap-like rules dir', async (t) => {
  const { rulesDir } = await configMapRules(t);
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  const status = await s.fetch('/admin/rules', { headers: ADMIN });
  const body = (await status.json()) as { apps: { appId: string; active: unknown; lastError: unknown }[] };
  t.deepEqual(
    body.apps.map((a) => a.appId),
    ['demo'],
  );
  t.truthy(body.apps[0]?.active);
  t.is(body.apps[0]?.lastError, null);
  const served = await post(
    s,
    '/getPersonalizedBanner?ip=0',
    { userId: 'u-1', ...REQUEST },
    { Authorization: DEMO_KEY },
  );
  t.is(served.status, 200, JSON.stringify(served.body));
  t.truthy(served.body.imageFullUrl);
});

test('the watcher picks up a ConfigMap update (..data swapped)', async (t) => {
  const { rulesDir, app } = await configMapRules(t);
  const registry = new RulesRegistry({ rulesDir, loader: createAppLoader(), logger: silentLogger });
  await registry.reload(undefined, 'start');
  t.truthy(registry.current('demo'));
  const watcher = new RulesWatcher(registry, silentLogger, 100, 60_000);
  await watcher.start();
  t.teardown(() => watcher.close());
  await swap(app, bumpSegments);
  t.true(await until(() => registry.current('demo')?.version.includes('segments:4242') ?? false, 3000));
});

test('the reconcile sees a ConfigMap update no watcher event reported', async (t) => {
  const { rulesDir, app } = await configMapRules(t);
  const registry = new RulesRegistry({ rulesDir, loader: createAppLoader(), logger: silentLogger });
  await registry.reload(undefined, 'start');
  const watcher = new RulesWatcher(registry, silentLogger, 100, 300);
  await watcher.start();
  t.teardown(() => watcher.close());
  await (watcher as unknown as { watcher: { close(): Promise<void> } }).watcher.close();
  await swap(app, bumpSegments);
  t.true(await until(() => registry.current('demo')?.version.includes('segments:4242') ?? false, 3000));
});

test('a rule file linked to nothing is a problem with its path, in the service and in validate', async (t) => {
  const { rulesDir, app } = await configMapRules(t);
  await symlink('..data/gone.yaml', path.join(app, 'extra.yaml'));
  const registry = new RulesRegistry({ rulesDir, loader: createAppLoader(), logger: silentLogger });
  const [outcome] = await registry.reload('demo', 'start');
  t.is(outcome?.result, 'failed');
  const problems = outcome?.result === 'failed' ? outcome.problems : [];
  t.true(
    problems.some((p) => p.includes('extra.yaml:1:1') && p.includes("symbolic link to '..data/gone.yaml'")),
    problems.join('\n'),
  );
  const c = capture();
  t.is(await runCli(['validate', rulesDir], c.io), 1);
  t.regex(
    c.err.join('\n'),
    /extra\.yaml:1:1 a symbolic link to '\.\.data\/gone\.yaml', which does not exist/,
  );
});

test('validate and test of a linked app folder check its files: a broken file fails them', async (t) => {
  const root = await tempDir(t, 'offerd-linked-');
  await cp('rules/demo', path.join(root, 'real', 'demo'), { recursive: true });
  await writeFile(path.join(root, 'real', 'demo', 'banner.yaml'), 'garbage: [\n', { flag: 'a' });
  await mkdir(path.join(root, 'rules'));
  await symlink(path.join(root, 'real', 'demo'), path.join(root, 'rules', 'demo'));
  for (const command of ['validate', 'test']) {
    const c = capture();
    t.is(await runCli([command, path.join(root, 'rules')], c.io), 1, command);
    t.regex(c.err.join('\n'), /banner\.yaml:\d+:\d+ /, command);
  }
  const linkedToNothing = path.join(root, 'rules', 'gone');
  await symlink(path.join(root, 'nowhere'), linkedToNothing);
  const c = capture();
  t.is(await runCli(['validate', path.join(root, 'rules')], c.io), 1);
  t.regex(
    c.err.join('\n'),
    /gone:1:1 the app folder is a symbolic link to '.*nowhere', which does not exist/,
  );
});

test('validate and test of a dir with no app, or an app with no rule file, fail saying so', async (t) => {
  const empty = await tempDir(t, 'offerd-empty-');
  for (const command of ['validate', 'test']) {
    const c = capture();
    t.is(await runCli([command, empty], c.io), 2, command);
    t.regex(c.err.join('\n'), /no app in '.*': neither a rules directory/, command);
  }
  await mkdir(path.join(empty, 'demo', 'tests'), { recursive: true });
  for (const command of ['validate', 'test']) {
    const c = capture();
    t.is(await runCli([command, empty], c.io), 1, command);
    t.regex(c.err.join('\n'), /demo:1:1 no rule file \(\*\.yaml, \*\.yml\) in the app folder/, command);
  }
});
