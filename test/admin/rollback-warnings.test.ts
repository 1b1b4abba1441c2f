/**
 * A rollback says what it changes in the experiments, as a reload does: a rollback to a
 * snapshot from before an experiment was stopped ran it again silently, enrolling players
 * whose doings its results never credit (account manager probe). A reload of files that
 * run a stopped experiment again says so too.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { ADMIN, startTestService } from '../helpers/start-test-service.js';

const RESTARTED = /experiment 'champion-spotlight' was stopped and is running again at bucket version 2/;

test('a rollback or a reload that runs a stopped experiment again says so; one that changes no experiment says nothing', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  const post = async (route: string, body?: unknown) => {
    const res = await fetch(`${s.url}${route}`, {
      method: 'POST',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const active = () => s.registry.current('demo')?.hash ?? '';
  const bannerFile = path.join(rulesDir, 'demo', 'banner.yaml');
  const shipped = await readFile(bannerFile, 'utf8');
  const write = (version: number, status: string) =>
    writeFile(
      bannerFile,
      shipped
        .replace(/^version: \d+$/m, `version: ${version}`)
        .replace(/(id: champion-spotlight\n(?:.*\n)*?\s+status: )running/, `$1${status}`),
    );
  const original = active();

  await write(77, 'stopped');
  const stop = await post('/admin/rules/reload?app=demo');
  t.is(stop.status, 200);
  const stopped = active();
  t.not(stopped, original);

  const back = await post('/admin/rules/demo/rollback', { hash: original });
  t.is(back.status, 200);
  const warnings = back.body.warnings as string[];
  t.is(warnings.length, 1, JSON.stringify(warnings));
  t.regex(warnings[0] ?? '', RESTARTED);
  // Its status line, which the rollback turned back to running (it named the eligibility, lines below).
  const lines = shipped.split('\n');
  const entry = lines.indexOf('    - id: champion-spotlight');
  const status = lines.findIndex((l, i) => i > entry && l.trim().startsWith('status:'));
  t.regex(
    warnings[0] ?? '',
    new RegExp(`demo/banner\\.yaml:${status + 1}:7 experiment`),
    'it names the status line of the experiment',
  );

  const again = await post('/admin/rules/demo/rollback', { hash: stopped });
  t.deepEqual(again.body.warnings, [], 'stopping it again changes nothing to warn of');

  await write(78, 'running');
  const reload = await post('/admin/rules/reload?app=demo');
  t.is(reload.status, 200);
  const [outcome] = reload.body.outcomes as { result: string; warnings: string[] }[];
  t.is(outcome?.result, 'activated');
  t.true(
    outcome?.warnings.some((w) => RESTARTED.test(w)),
    JSON.stringify(outcome?.warnings),
  );
});
