import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { AdminActionFollower } from '../../src/admin/admin-action-follower.js';
import { createAppLoader } from '../../src/apis.js';
import { RulesRegistry } from '../../src/rules/rules-registry.js';
import { rollbackPins } from '../../src/store/admin-action-log.js';
import { AdminActionFile } from '../../src/store/document/admin-action-file.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { silentLogger } from '../helpers/silent-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const registryOn = (rulesDir: string) =>
  new RulesRegistry({ rulesDir, loader: createAppLoader(), logger: silentLogger });

// Focused probe: an instance restarting during a rollback read the log for its start, then
// again when its follower joined; another instance's reload appended between the two reads
// was skipped, and the restarted instance stayed pinned alone (5 of 11 tries).
test('a reload appended while an instance starts on a rollback is applied when its follower joins', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const log = await AdminActionFile.open(await tempDir(t, 'offerd-follower-'));
  const first = registryOn(rulesDir);
  await first.reload(undefined, 'start');
  const original = first.current('demo');
  const file = path.join(rulesDir, 'demo', 'banner.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace(/^version: \d+$/m, 'version: 70'));
  await first.reload('demo');
  const files = first.snapshotFiles('demo', original?.hash ?? '') ?? [];
  await log.append({ kind: 'rollback', appId: 'demo', hash: original?.hash ?? '', files }, 'a', 0);

  // The restart: the log read for the start, the rules started pinned on it...
  const joined = await log.current();
  const restarted = registryOn(rulesDir);
  await restarted.start(rollbackPins(joined.rollbacks));
  t.is(restarted.pinnedTo('demo'), original?.hash ?? null);
  // ...another instance's reload ends the rollback meanwhile...
  await log.append({ kind: 'reload', appId: 'demo' }, 'a', joined.head);
  // ...and the follower joins from that read: the reload reaches this instance too.
  const follower = new AdminActionFollower(
    log,
    { rules: restarted, apis: async () => {} },
    'b',
    silentLogger,
    null,
  );
  t.teardown(() => follower.close());
  await follower.start(joined);
  t.is(restarted.pinnedTo('demo'), null);
  t.not(restarted.current('demo')?.hash, original?.hash, 'it serves the files, as every instance does');
});
