import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecutionContext } from 'ava';
import { unscheduledConfig } from './offerd-process.js';
import { ADMIN, startTestService, type TestService } from './start-test-service.js';
import { tempDir } from './temp-dir.js';

/**
 * offerd instances in this process on one PostgreSQL database, each with its own pool, admin
 * action follower and copy of the rules, as several processes behind a load balancer would be
 * (in-process: a test starts several in seconds, not a minute).
 */
export interface RulesInstance {
  service: TestService;
  rulesDir: string;
}

export interface DemoRules {
  active: { version: string; hash: string };
  pinned: { hash: string } | null;
}

/** A database and config shared by the instances of one test. */
export interface SharedSetup {
  url: string;
  config: string;
  root: string;
}

export async function sharedSetup(t: ExecutionContext, url: string): Promise<SharedSetup> {
  const root = await tempDir(t, 'offerd-shared-rules-');
  return { url, root, config: await unscheduledConfig(path.join(root, 'config')) };
}

/** Starts instance `id` on a copy of `rulesFrom` (the shipped rules unless given). */
export async function startInstance(
  t: ExecutionContext,
  setup: SharedSetup,
  id: string,
  rulesFrom = 'rules',
): Promise<RulesInstance> {
  const rulesDir = path.join(setup.root, `rules-${id}`);
  await cp(rulesFrom, rulesDir, { recursive: true });
  const service = await startTestService(t, {
    env: {
      OFFERD_CONFIG: setup.config,
      OFFERD_RULES_DIR: rulesDir,
      OFFERD_STORE: 'postgres',
      DATABASE_URL: setup.url,
      OFFERD_INSTANCE_ID: id,
    },
  });
  return { service, rulesDir };
}

/** Instances `a` and `b`, started at once (both migrate, under the lock). */
export async function startPair(
  t: ExecutionContext,
  setup: SharedSetup,
): Promise<[RulesInstance, RulesInstance]> {
  return Promise.all([startInstance(t, setup, 'a'), startInstance(t, setup, 'b')]);
}

export async function demoRules(i: RulesInstance): Promise<DemoRules> {
  const body = (await (await i.service.fetch('/admin/rules', { headers: ADMIN })).json()) as {
    apps: (DemoRules & { appId: string })[];
  };
  const found = body.apps.find((a) => a.appId === 'demo');
  if (!found) throw new Error('no demo app');
  return found;
}

const brief = (s: DemoRules): string => `serving ${s.active.hash}, pinned ${s.pinned?.hash ?? 'no'}`;

/** Waits (10 s at most) until every instance's demo rules satisfy `ok`. */
export async function until(
  instances: RulesInstance[],
  ok: (s: DemoRules) => boolean,
  withinMs = 10_000,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    const states = await Promise.all(instances.map(demoRules));
    if (states.every(ok)) return;
    if (Date.now() - started > withinMs)
      throw new Error(`not converged after ${withinMs} ms: ${states.map(brief).join('; ')}`);
    await sleep(25);
  }
}

/** Writes the demo banner file with `version` into the instance's rules (not reloaded). */
export async function writeBannerVersion(i: RulesInstance, version: number): Promise<void> {
  const shipped = await readFile('rules/demo/banner.yaml', 'utf8');
  const changed = shipped.replace(/^version: \d+$/m, `version: ${version}`);
  if (changed === shipped) throw new Error('the shipped banner file has no version line');
  await writeFile(path.join(i.rulesDir, 'demo', 'banner.yaml'), changed);
}

const JSON_ADMIN = { ...ADMIN, 'Content-Type': 'application/json' };

export const rollback = (i: RulesInstance, hash: string): Promise<Response> =>
  i.service.fetch('/admin/rules/demo/rollback', {
    method: 'POST',
    headers: JSON_ADMIN,
    body: JSON.stringify({ hash }),
  });

export const reload = (i: RulesInstance): Promise<Response> =>
  i.service.fetch('/admin/rules/reload?app=demo', { method: 'POST', headers: ADMIN });

/** Banner `version` on every instance's disk, made live by a reload on the first (the log takes it to the rest). */
export async function shipBannerVersion(instances: RulesInstance[], version: number): Promise<string> {
  for (const i of instances) await writeBannerVersion(i, version);
  const [first] = instances;
  if (!first) throw new Error('no instance');
  const answer = await reload(first);
  if (answer.status !== 200) throw new Error(`reload answered ${answer.status}: ${await answer.text()}`);
  const { hash } = (await demoRules(first)).active;
  await until(instances, (s) => s.active.hash === hash && s.pinned === null);
  return hash;
}
