/**
 * SIGHUP (a closed terminal) stops offerd as SIGTERM does: requests under way answered, the
 * store flushed, the data dir's lock released, exit 0. Its default action killed node at
 * once: requests in flight were reset and the lock left behind (operator probe).
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { LOCK_FILE } from '../../src/store/document/data-dir-lock.js';
import { startOfferdProcess, unscheduledConfig } from '../helpers/offerd-process.js';
import { tempDir } from '../helpers/temp-dir.js';

test('SIGHUP stops the service cleanly: exit 0, the lock released, a write acknowledged before it kept', async (t) => {
  const dataDir = await tempDir(t, 'offerd-data-');
  const svc = await startOfferdProcess({
    OFFERD_DATA_DIR: dataDir,
    OFFERD_CONFIG: await unscheduledConfig(await tempDir(t, 'offerd-config-')),
    LOG_LEVEL: 'info',
  });
  t.teardown(() => svc.stop());
  const created = await fetch(`${svc.url}/v1/user-journeys/users`, {
    method: 'POST',
    headers: { 'X-API-Key': 'pk_test_demo', 'Content-Type': 'application/json' },
    body: JSON.stringify({ externalId: 'hup-1' }),
  });
  t.is(created.status, 200);
  t.true(existsSync(path.join(dataDir, LOCK_FILE)));
  const exited = once(svc.child, 'exit');
  svc.child.kill('SIGHUP');
  const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  t.is(signal, null, 'handled, not the default action');
  t.is(code, 0);
  t.false(existsSync(path.join(dataDir, LOCK_FILE)), 'the store was closed');
  // The log says which signal stopped it (an outside kill read as a mystery stop, a probe).
  t.regex(svc.output(), /"signal":"SIGHUP".*"msg":"offerd stopped"/);
});
