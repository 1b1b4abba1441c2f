import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { demoRulesStatus, type OfferdProcess, restartableOfferd } from '../helpers/offerd-process.js';
import { ADMIN } from '../helpers/start-test-service.js';

/**
 * A broken rule file left on disk is refused by the hot reload, and the last good rules
 * keep serving; after kill -9 (a crash, an OOM kill, a deploy) the restarted instance serves
 * them too, from the store, instead of answering 503 on every API of the app (operator
 * probe). The fixed file then goes live as usual.
 */
interface DemoState {
  active: { version: string; hash: string } | null;
  lastError: { problems: string[]; serving: { hash: string } | null } | null;
}

const demoState = (svc: OfferdProcess) => demoRulesStatus<DemoState>(svc);

async function render(svc: OfferdProcess): Promise<{ status: number; rules: string | null }> {
  const res = await fetch(`${svc.url}/getPersonalizedBanner`, {
    method: 'POST',
    headers: { Authorization: 'demo-key', 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId: 'u-last-good', offerId: '8622', countryIso2: 'DE' }),
  });
  await res.arrayBuffer();
  return { status: res.status, rules: res.headers.get('x-rules-version') };
}

test('after kill -9 with a broken rule file on disk, the restarted instance serves the last good rules from the store, and the fix goes live', async (t) => {
  const { rulesDir, start } = await restartableOfferd(t, 'offerd-last-good-');

  const first = await start();
  const good = (await demoState(first)).active;
  if (!good) throw new Error('the shipped rules did not load');
  const bannerFile = path.join(rulesDir, 'demo', 'banner.yaml');
  const shipped = await readFile(bannerFile, 'utf8');
  await writeFile(bannerFile, `${shipped}\n  broken: [unclosed\n`);
  t.is(
    (await fetch(`${first.url}/admin/rules/reload?app=demo`, { method: 'POST', headers: ADMIN })).status,
    422,
  );
  t.is((await demoState(first)).active?.hash, good.hash, 'the hot reload refused it');

  const gone = once(first.child, 'exit');
  first.child.kill('SIGKILL');
  await gone;

  const second = await start();
  const state = await demoState(second);
  t.is(state.active?.hash, good.hash, 'the last good rules serve after the restart');
  t.truthy(state.lastError, "the files' failure is still shown");
  t.is(state.lastError?.serving?.hash, good.hash);
  t.is((await fetch(`${second.url}/readyz`)).status, 200);
  const served = await render(second);
  t.is(served.status, 200);
  t.true(served.rules?.endsWith(`hash=${good.hash}`), String(served.rules));

  // Fixed: a reload puts the files live again.
  await writeFile(bannerFile, shipped.replace(/^version: \d+$/m, 'version: 78'));
  t.is(
    (await fetch(`${second.url}/admin/rules/reload?app=demo`, { method: 'POST', headers: ADMIN })).status,
    200,
  );
  const fixed = await demoState(second);
  t.regex(fixed.active?.version ?? '', /banner:78/);
  t.is(fixed.lastError, null);
});
