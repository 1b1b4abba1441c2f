import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import anyTest, { type TestFn } from 'ava';
import pg from 'pg';
import { usePostgres } from '../helpers/postgres-server.js';
import {
  demoRules,
  sharedSetup,
  startInstance,
  writeBannerVersion,
} from '../helpers/shared-rules-instances.js';

/**
 * Rules that go live while PostgreSQL is down are kept once it is back: a later start whose
 * files fail serves them, not the rules kept before the outage (operator probe: the failed
 * write was never retried, and the restart served the older rules as "the rules it last
 * went live with").
 */
const test = anyTest as TestFn;
const server = usePostgres(test);

async function keptHash(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT hash FROM offerd_rules_last_good WHERE app_id = 'demo'");
    return (rows[0]?.hash as string | undefined) ?? null;
  } finally {
    await client.end();
  }
}

test('rules that went live during a database outage are kept when it is back, and a start on broken files serves them', async (t) => {
  const setup = await sharedSetup(t, await server().freshDatabase('keptafteroutage'));
  const a = await startInstance(t, setup, 'a');
  const before = (await demoRules(a)).active.hash;
  t.is(await keptHash(setup.url), before);

  server().halt();
  let resumed = false;
  t.teardown(() => {
    if (!resumed) server().resume();
  });
  await writeBannerVersion(a, 91);
  // What the file watcher calls: it goes live from files while the store cannot keep it.
  await a.service.registry.reload('demo', 'watch');
  const during = (await demoRules(a)).active.hash;
  t.not(during, before);
  await sleep(1500);
  server().resume();
  resumed = true;

  const deadline = Date.now() + 45_000;
  let kept = await keptHash(setup.url).catch(() => null);
  while (kept !== during && Date.now() < deadline) {
    await sleep(250);
    kept = await keptHash(setup.url).catch(() => null);
  }
  t.is(kept, during, 'the rules that went live during the outage are the ones kept');

  // A new instance whose banner file is broken serves what was kept.
  const broken = path.join(setup.root, 'broken-rules');
  await cp(a.rulesDir, broken, { recursive: true });
  await writeFile(path.join(broken, 'demo', 'banner.yaml'), 'version: [\n');
  const b = await startInstance(t, setup, 'b', broken);
  t.is((await demoRules(b)).active.hash, during);
});
