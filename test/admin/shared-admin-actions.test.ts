import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import anyTest, { type TestFn } from 'ava';
import { type OfferdProcess, startOfferdProcess, unscheduledConfig } from '../helpers/offerd-process.js';
import { usePostgres } from '../helpers/postgres-server.js';

/**
 * Two offerd processes on one PostgreSQL database, each with its own copy of the rules:
 * a rollback (with its pin) called on one and a reload called on the other reach both.
 */
const test = anyTest as TestFn;
const ADMIN = { Authorization: 'Bearer demo-admin-token', 'Content-Type': 'application/json' };

const dirs: string[] = [];
const instances: OfferdProcess[] = [];
test.after.always(async () => {
  await Promise.all(instances.map((i) => i.stop()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
const server = usePostgres(test);

interface DemoStatus {
  active: { version: string; hash: string };
  pinned: { hash: string } | null;
}

async function demo(p: OfferdProcess): Promise<DemoStatus> {
  const body = (await (await fetch(`${p.url}/admin/rules`, { headers: ADMIN })).json()) as {
    apps: (DemoStatus & { appId: string })[];
  };
  const found = body.apps.find((a) => a.appId === 'demo');
  if (!found) throw new Error('no demo app');
  return found;
}

/** Milliseconds until `p`'s demo rules satisfy `ok` (throws after 10 s). */
async function until(p: OfferdProcess, ok: (s: DemoStatus) => boolean): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 10_000) {
    if (ok(await demo(p))) return Date.now() - started;
    await sleep(25);
  }
  throw new Error(`${p.url} never converged: ${JSON.stringify(await demo(p))}\n${p.output()}`);
}

test('a rollback on one instance pins both; a reload on the other releases both', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'offerd-shared-admin-'));
  dirs.push(root);
  const config = await unscheduledConfig(path.join(root, 'config'));
  const url = await server().freshDatabase('admin');
  const rulesOf = (i: number) => path.join(root, `rules-${i}`);
  const start = async (i: number) => {
    await cp('rules', rulesOf(i), { recursive: true });
    return startOfferdProcess({
      OFFERD_CONFIG: config,
      OFFERD_RULES_DIR: rulesOf(i),
      OFFERD_STORE: 'postgres',
      DATABASE_URL: url,
      OFFERD_INSTANCE_ID: `offerd-${i}`,
    });
  };
  const [a, b] = await Promise.all([start(0), start(1)]);
  instances.push(a, b);
  const original = (await demo(a)).active.hash;
  t.is((await demo(b)).active.hash, original);

  // A new banner version on both disks, activated by each watcher.
  const shipped = await readFile('rules/demo/banner.yaml', 'utf8');
  const changed = shipped.replace(/^version: \d+$/m, 'version: 77');
  for (const i of [0, 1]) await writeFile(path.join(rulesOf(i), 'demo', 'banner.yaml'), changed);
  await until(a, (s) => s.active.hash !== original);
  await until(b, (s) => s.active.hash !== original);
  const newer = (await demo(a)).active.hash;

  const rolled = await fetch(`${a.url}/admin/rules/demo/rollback`, {
    method: 'POST',
    headers: ADMIN,
    body: JSON.stringify({ hash: original }),
  });
  t.is(rolled.status, 200);
  const pinnedMs = await until(b, (s) => s.active.hash === original && s.pinned?.hash === original);
  t.true(pinnedMs < 3000, `the other instance rolled back after ${pinnedMs} ms`);

  const reloaded = await fetch(`${b.url}/admin/rules/reload?app=demo`, { method: 'POST', headers: ADMIN });
  t.is(reloaded.status, 200);
  const releasedMs = await until(a, (s) => s.active.hash === newer && s.pinned === null);
  t.true(releasedMs < 3000, `the other instance reloaded after ${releasedMs} ms`);
  t.log(`rollback reached the other instance in ${pinnedMs} ms, reload in ${releasedMs} ms`);
});
