import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { demoRulesStatus, type OfferdProcess, restartableOfferd } from '../helpers/offerd-process.js';
import { ADMIN } from '../helpers/start-test-service.js';

/**
 * A deploy of bad (but valid) rules is a restart with new files: the new process never
 * loaded the rules served before it, and its history holds only its own start. A rollback
 * to them was SNAPSHOT_NOT_FOUND (operator probe); the store keeps the snapshots each app
 * went live with, and the rollback finds them there.
 */
interface DemoState {
  active: { version: string; hash: string } | null;
  history: { hash: string }[];
  kept: { hash: string; at: string }[];
  pinned: { hash: string } | null;
}

const demoState = (svc: OfferdProcess) => demoRulesStatus<DemoState>(svc);

test('after a restart on new rule files, a rollback to the rules served before it finds them in the store and pins them', async (t) => {
  const { rulesDir, start } = await restartableOfferd(t, 'offerd-rollback-restart-');
  const first = await start();
  const before = (await demoState(first)).active;
  if (!before) throw new Error('the shipped rules did not load');
  await first.stop();

  const bannerFile = path.join(rulesDir, 'demo', 'banner.yaml');
  const shipped = await readFile(bannerFile, 'utf8');
  await writeFile(bannerFile, shipped.replace(/^version: \d+$/m, 'version: 91'));
  const second = await start();
  const deployed = await demoState(second);
  t.regex(deployed.active?.version ?? '', /banner:91/);
  t.false(
    deployed.history.some((h) => h.hash === before.hash),
    "this process's history does not hold the rules before it",
  );
  t.deepEqual(
    deployed.kept.map((k) => k.hash),
    [deployed.active?.hash, before.hash],
    'the store keeps both, the newest first',
  );

  const rollback = await fetch(`${second.url}/admin/rules/demo/rollback`, {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ hash: before.hash }),
  });
  t.is(rollback.status, 200, await rollback.clone().text());
  t.like(await rollback.json(), { hash: before.hash, pinned: true });
  const rolledBack = await demoState(second);
  t.is(rolledBack.active?.hash, before.hash);
  t.is(rolledBack.pinned?.hash, before.hash);

  const unknown = await fetch(`${second.url}/admin/rules/demo/rollback`, {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ hash: 'ffffffffffff' }),
  });
  t.is(unknown.status, 404);
});

test('a kept snapshot whose files were changed in the store is refused by name as damaged, and not served', async (t) => {
  const { rulesDir, start, dataDir } = await restartableOfferd(t, 'offerd-rollback-tampered-');
  const first = await start();
  const before = (await demoState(first)).active;
  if (!before) throw new Error('the shipped rules did not load');
  await first.stop();
  const bannerFile = path.join(rulesDir, 'demo', 'banner.yaml');
  await writeFile(bannerFile, (await readFile(bannerFile, 'utf8')).replace(/^version: \d+$/m, 'version: 92'));
  const second = await start();
  const deployed = (await demoState(second)).active;
  await second.stop();
  // Someone edits the kept files of the rules before the deploy.
  const keptFile = path.join(dataDir, 'rules-last-good.json');
  const doc = JSON.parse(await readFile(keptFile, 'utf8')) as {
    kept: Record<string, { hash: string; files: { name: string; text: string }[] }[]>;
  };
  const entry = doc.kept.demo?.find((k) => k.hash === before.hash);
  if (!entry?.files[0]) throw new Error('the rules before the deploy are not kept');
  entry.files[0].text += '\n# edited in the store\n';
  await writeFile(keptFile, JSON.stringify(doc));
  const third = await start();
  const res = await fetch(`${third.url}/admin/rules/demo/rollback`, {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ hash: before.hash }),
  });
  t.is(res.status, 404);
  t.regex(
    ((await res.json()) as { error: { message: string } }).error.message,
    /the kept snapshot \w+ of 'demo' is damaged: its files in the store no longer hash to it/,
  );
  t.is((await demoState(third)).active?.hash, deployed?.hash, 'still serving the deployed rules');
});
