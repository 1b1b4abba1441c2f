import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { demoRulesStatus, type OfferdProcess, restartableOfferd } from '../helpers/offerd-process.js';
import { ADMIN } from '../helpers/start-test-service.js';

/**
 * On the embedded store, an acknowledged rollback and its pin outlive kill -9: the
 * restarted instance serves the rolled-back rules, pinned, until a reload (which is kept
 * too). Before, the pin lived in the process only, and a restart after an emergency
 * rollback served again, silently, the change that had been rolled back.
 */
interface DemoState {
  active: { version: string; hash: string };
  pinned: { hash: string } | null;
}

const demoState = (svc: OfferdProcess) => demoRulesStatus<DemoState>(svc);

const post = (svc: OfferdProcess, route: string, body?: unknown) =>
  fetch(`${svc.url}${route}`, {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function kill9(svc: OfferdProcess): Promise<void> {
  const gone = once(svc.child, 'exit');
  svc.child.kill('SIGKILL');
  await gone;
}

/** The rules (`demo;version=…;hash=<12 hex>`) the banner API labels its answers with. */
async function servedRules(svc: OfferdProcess): Promise<string | null> {
  const res = await fetch(`${svc.url}/getPersonalizedBanner`, {
    method: 'POST',
    headers: { Authorization: 'demo-key', 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId: 'u-restart', offerId: '8622', countryIso2: 'DE' }),
  });
  await res.arrayBuffer();
  return res.headers.get('x-rules-version');
}

/**
 * A first instance on the shipped rules, a change deployed (a reload) and rolled back: the
 * snapshot served before the change, the change's, the banner file and its shipped text.
 */
async function deployedThenRolledBack(t: ExecutionContext, prefix: string) {
  const { rulesDir, start } = await restartableOfferd(t, prefix);
  const first = await start();
  const original = (await demoState(first)).active;
  const bannerFile = path.join(rulesDir, 'demo', 'banner.yaml');
  const shipped = await readFile(bannerFile, 'utf8');
  await writeFile(bannerFile, shipped.replace(/^version: \d+$/m, 'version: 77'));
  t.is((await post(first, '/admin/rules/reload?app=demo')).status, 200);
  const rolledBack = (await demoState(first)).active;
  t.is((await post(first, '/admin/rules/demo/rollback', { hash: original.hash })).status, 200);
  return { start, first, original, rolledBack, bannerFile, shipped };
}

test('a rollback acknowledged before kill -9 is still in force, pinned, after the restart; a reload ends it for good', async (t) => {
  const { rulesDir, start } = await restartableOfferd(t, 'offerd-pin-restart-');

  const first = await start();
  const original = (await demoState(first)).active;
  const bannerFile = path.join(rulesDir, 'demo', 'banner.yaml');
  const shipped = await readFile(bannerFile, 'utf8');
  const changed = shipped.replace(/^version: \d+$/m, 'version: 77');
  t.not(changed, shipped, 'the shipped banner file has a version line');
  await writeFile(bannerFile, changed);
  t.is((await post(first, '/admin/rules/reload?app=demo')).status, 200);
  const newer = (await demoState(first)).active;
  t.not(newer.hash, original.hash);

  t.is((await post(first, '/admin/rules/demo/rollback', { hash: original.hash })).status, 200);
  await kill9(first);

  // The files on disk still hold the change: the restarted instance serves the rollback.
  const second = await start();
  const after = await demoState(second);
  t.is(after.active.hash, original.hash);
  t.is(after.pinned?.hash, original.hash);
  t.is(await servedRules(second), `demo;version=${original.version};hash=${original.hash.slice(0, 12)}`);

  // A reload unpins and serves the files; that too survives the next kill -9.
  t.is((await post(second, '/admin/rules/reload?app=demo')).status, 200);
  await kill9(second);
  const third = await start();
  const unpinned = await demoState(third);
  t.is(unpinned.active.hash, newer.hash);
  t.is(unpinned.pinned, null);
  t.is(await servedRules(third), `demo;version=${newer.version};hash=${newer.hash.slice(0, 12)}`);
});

test('a restart during a rollback never puts the pinned-away files live: an experiment they stop goes on running', async (t) => {
  const { start, first, original, bannerFile, shipped } = await deployedThenRolledBack(t, 'offerd-pin-ends-');

  // The fix waiting on disk stops an experiment; the rollback keeps running it.
  const stopping = shipped
    .replace(/^version: \d+$/m, 'version: 78')
    .replace(/(id: payer-upsell\n(?:.*\n)*?\s+status:) running/, '$1 stopped');
  t.not(stopping, shipped.replace(/^version: \d+$/m, 'version: 78'), 'payer-upsell has a status line');
  await writeFile(bannerFile, stopping);
  await kill9(first);

  const second = await start();
  t.is((await demoState(second)).pinned?.hash, original.hash);
  const res = await fetch(`${second.url}/admin/apps/demo/experiments/payer-upsell`, { headers: ADMIN });
  const experiment = (await res.json()) as { status: string; endedAt: string | null };
  t.is(res.status, 200);
  t.like(experiment, { status: 'running', endedAt: null }, 'the files that stop it never served');
  const rules = (await (await fetch(`${second.url}/admin/rules`, { headers: ADMIN })).json()) as {
    apps: { appId: string; kept?: { hash: string }[]; pinned: { pendingHash: string | null } | null }[];
  };
  const demo = rules.apps.find((a) => a.appId === 'demo');
  const pending = demo?.pinned?.pendingHash;
  t.truthy(pending, 'the files on disk wait for a reload');
  t.false(
    (demo?.kept ?? []).some((k) => k.hash === pending),
    'nor are they kept as rules that went live',
  );
});

test('a reload of broken files ends a rollback: the rolled-back rules serve on, unpinned, and after a restart too', async (t) => {
  const { start, first, original, rolledBack, bannerFile, shipped } = await deployedThenRolledBack(
    t,
    'offerd-pin-broken-',
  );

  // The fix attempt is broken: the reload is refused, ends the rollback, and says what serves.
  await writeFile(bannerFile, `${shipped}\n  broken: [\n`);
  const reload = await post(first, '/admin/rules/reload?app=demo');
  t.is(reload.status, 422);
  const { outcomes } = (await reload.json()) as { outcomes: { result: string; rollbackEnded?: string }[] };
  t.like(outcomes[0], { result: 'failed', rollbackEnded: original.hash });
  const served = `demo;version=${original.version};hash=${original.hash.slice(0, 12)}`;
  t.is(await servedRules(first), served);
  t.is((await demoState(first)).pinned, null);

  // Restarted on the same broken files: the rules that served, not the deploy rolled back.
  await kill9(first);
  const second = await start();
  const after = await demoState(second);
  t.is(after.active.hash, original.hash, `not ${rolledBack.hash}, the change rolled back`);
  t.is(after.pinned, null);
  t.is(await servedRules(second), served);
});

test('a reload ending a rollback to the very files on disk keeps those rules: a later broken change and a restart serve them', async (t) => {
  const { start, first, original, bannerFile, shipped } = await deployedThenRolledBack(t, 'offerd-pin-same-');
  // The change is reverted on disk, then the rollback ended: the same rules, now from files.
  await writeFile(bannerFile, shipped);
  const reload = await post(first, '/admin/rules/reload?app=demo');
  t.is(reload.status, 200);
  const { outcomes } = (await reload.json()) as { outcomes: { result: string; rollbackEnded?: string }[] };
  t.like(outcomes[0], { result: 'unchanged', rollbackEnded: original.hash });

  // A broken edit is refused; the restart on it serves what served, not the change rolled back.
  await writeFile(bannerFile, `${shipped}\n  broken: [\n`);
  t.is((await post(first, '/admin/rules/reload?app=demo')).status, 422);
  await kill9(first);
  const second = await start();
  t.is((await demoState(second)).active.hash, original.hash);
  t.is(await servedRules(second), `demo;version=${original.version};hash=${original.hash.slice(0, 12)}`);
});
