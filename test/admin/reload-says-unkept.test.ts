/**
 * A reload whose rules go live while the store refuses to keep them (a full disk, the
 * database down) says so in its answer: `kept: false`, where before only the log did, and
 * the account manager who reloaded believed a restart on broken files would serve them.
 * The disk's failure is a rename of the kept-rules file (its own file, so its own worker).
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { replaceFsFunction } from '../helpers/fail-disk.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { ADMIN, startTestService } from '../helpers/start-test-service.js';

interface Outcome {
  appId: string;
  result: string;
  hash?: string;
  kept?: boolean;
}

test('a reload answers kept: false while the store refuses the rules, and kept: true once it takes them', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const svc = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  let failing = true;
  replaceFsFunction(t, 'rename', (rename) => async (from, to) => {
    if (failing && String(to).endsWith('rules-last-good.json'))
      throw Object.assign(new Error('ENOSPC: no space left on device, rename'), { code: 'ENOSPC' });
    return rename(from, to);
  });
  const bannerFile = path.join(rulesDir, 'demo', 'banner.yaml');
  const shipped = await fsp.readFile(bannerFile, 'utf8');
  const reload = async (version: number) => {
    await fsp.writeFile(bannerFile, shipped.replace(/^version: \d+$/m, `version: ${version}`));
    const res = await fetch(`${svc.url}/admin/rules/reload?app=demo`, { method: 'POST', headers: ADMIN });
    t.is(res.status, 200);
    const { outcomes } = (await res.json()) as { outcomes: Outcome[] };
    return outcomes[0];
  };

  t.like(await reload(81), { appId: 'demo', result: 'activated', kept: false });
  failing = false;
  t.like(await reload(82), { appId: 'demo', result: 'activated', kept: true });
  const unchanged = await (async () => {
    const res = await fetch(`${svc.url}/admin/rules/reload?app=demo`, { method: 'POST', headers: ADMIN });
    return ((await res.json()) as { outcomes: Outcome[] }).outcomes[0];
  })();
  t.is(unchanged?.result, 'unchanged');
  t.false(unchanged !== undefined && 'kept' in unchanged, 'nothing new went live: nothing to keep');
});
