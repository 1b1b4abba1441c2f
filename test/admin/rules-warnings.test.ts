import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { addShadowedBanner, copyOfShippedRules } from '../helpers/rules-fixture.js';
import { ADMIN, startTestService, type TestService } from '../helpers/start-test-service.js';

// biome-ignore lint/suspicious/noExplicitAny: the status is read field by field
type Json = Record<string, any>;

async function bumpVersion(file: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  await writeFile(
    file,
    text.replace(/^version: (\d+)$/m, (_, n: string) => `version: ${Number(n) + 1}`),
  );
}

async function demoStatus(s: TestService): Promise<Json> {
  const res = await s.fetch('/admin/rules', { headers: ADMIN });
  const body = (await res.json()) as Json;
  return body.apps.find((a: Json) => a.appId === 'demo');
}

test('GET /admin/rules lists the serving rules’ warnings at file:line:col; a change with a warning still goes live', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  t.deepEqual((await demoStatus(s)).warnings, [], 'the shipped rules warn of nothing');

  await addShadowedBanner(rulesDir);
  // Bumped, as an edit should be: an unbumped one adds its own warning (rules-registry.test.ts).
  await bumpVersion(path.join(rulesDir, 'demo', 'banner.yaml'));
  const reload = await s.fetch('/admin/rules/reload?app=demo', { method: 'POST', headers: ADMIN });
  t.is(reload.status, 200);
  const demo = await demoStatus(s);
  t.is(((await reload.json()) as Json).outcomes[0].result, 'activated', 'warnings never block');
  t.is(demo.active.hash, s.registry.current('demo')?.hash);
  t.is(demo.lastError, null);
  t.is(demo.warnings.length, 1, JSON.stringify(demo.warnings));
  const [w] = demo.warnings;
  t.regex(w.file, /demo\/banner\.yaml$/);
  t.deepEqual([w.line, w.col], [107, 7]);
  t.regex(
    w.message,
    /^banner 'payer-hero-copy' can never fire: banner 'payer-hero' \(.*demo\/banner\.yaml:102:7\) comes first and matches every request it matches$/,
  );
});
