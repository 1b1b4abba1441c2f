/**
 * `npm start` runs its script through `sh -c`, and npm passes a SIGTERM it gets (from a
 * supervisor, `kill %1`, a container stop) to that shell only. A shell that forks node and
 * dies left node serving with the data dir open: a restart then found the port taken.
 * The script must hand the signal to node itself, which then stops cleanly (exit 0).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { unscheduledConfig } from '../helpers/offerd-process.js';
import { freePort } from '../helpers/postgres-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const answers = (url: string) =>
  fetch(`${url}/readyz`).then(
    (r) => r.ok,
    () => false,
  );

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

async function startScript(t: import('ava').ExecutionContext) {
  const scripts = (JSON.parse(await readFile('package.json', 'utf8')) as { scripts: { start: string } })
    .scripts;
  // The script as written, run from the sources: the test does not rebuild dist/.
  const script = scripts.start.replace('dist/main.js', '--import tsx src/main.ts');
  t.not(script, scripts.start, 'npm start runs dist/main.js');
  const dir = await tempDir(t);
  const port = await freePort();
  const shell = spawn('sh', ['-c', script], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      OFFERD_CONFIG: await unscheduledConfig(path.join(dir, 'config')),
      OFFERD_DATA_DIR: path.join(dir, 'data'),
    },
    stdio: 'ignore',
    // Its own process group, so the teardown reaches a node the shell left behind.
    detached: true,
  });
  const exited = once(shell, 'exit');
  const url = `http://127.0.0.1:${port}`;
  t.teardown(() => {
    try {
      process.kill(-(shell.pid as number), 'SIGKILL');
    } catch {
      // The group is gone: everything in it stopped.
    }
  });
  t.true(await until(() => answers(url), 45_000), 'the service started');
  return { shell, exited, url };
}

test('npm start stops the service itself on SIGTERM, not only its shell', async (t) => {
  const { shell, exited, url } = await startScript(t);
  shell.kill('SIGTERM');
  const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  t.is(signal, null, 'the process npm signals is node, which handles SIGTERM');
  t.is(code, 0, 'node stopped cleanly');
  t.false(await answers(url), 'nothing serves on the port any more');
});
