import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { ADMIN, startTestService, type TestService } from '../helpers/start-test-service.js';

/** An instance pinned to a rollback, or whose last reload failed, says so in /metrics (operator probe: nothing to alert on). */
async function gauges(s: TestService): Promise<{ pinned: string | undefined; failed: string | undefined }> {
  const text = await (await s.fetch('/metrics')).text();
  return {
    pinned: /^offerd_rules_pinned\{app="demo"\} (\d)$/m.exec(text)?.[1],
    failed: /^offerd_rules_last_reload_failed\{app="demo"\} (\d)$/m.exec(text)?.[1],
  };
}

const post = (s: TestService, p: string, body?: unknown) =>
  s.fetch(p, {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

test('/metrics shows an app pinned by a rollback and an app whose last reload failed, and both clearing', async (t) => {
  const dir = await copyOfShippedRules(t);
  const s = await startTestService(t, { env: { OFFERD_STORE: 'memory', OFFERD_RULES_DIR: dir } });
  t.deepEqual(await gauges(s), { pinned: '0', failed: '0' });
  const first = (
    (await (await s.fetch('/admin/rules', { headers: ADMIN })).json()) as {
      apps: { appId: string; active: { hash: string } }[];
    }
  ).apps.find((a) => a.appId === 'demo')?.active.hash;

  const file = path.join(dir, 'demo', 'banner.yaml');
  const shipped = await readFile(file, 'utf8');
  await writeFile(file, shipped.replace(/^version: \d+$/m, 'version: 42'));
  t.is((await post(s, '/admin/rules/reload?app=demo')).status, 200);
  t.is((await post(s, '/admin/rules/demo/rollback', { hash: first })).status, 200);
  t.deepEqual(await gauges(s), { pinned: '1', failed: '0' });

  await writeFile(file, 'version: [\n');
  t.is((await post(s, '/admin/rules/reload?app=demo')).status, 422);
  t.deepEqual(await gauges(s), { pinned: '0', failed: '1' }, 'an explicit reload ends the pin, and failed');

  await writeFile(file, shipped);
  t.is((await post(s, '/admin/rules/reload?app=demo')).status, 200);
  t.deepEqual(await gauges(s), { pinned: '0', failed: '0' });
});
