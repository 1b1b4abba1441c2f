import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecutionContext } from 'ava';
import { checkedFetch } from './openapi-check.js';
import { freePort } from './postgres-server.js';
import { ADMIN } from './start-test-service.js';
import { tempDir } from './temp-dir.js';

export interface OfferdProcess {
  /** http://127.0.0.1:<port> */
  url: string;
  child: ChildProcess;
  /** What the process printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A copy of the shipped config in `dir` with the journeys schedule off, so only the test
 * starts generation runs (an hourly run could fire mid-test).
 */
export async function unscheduledConfig(dir: string): Promise<string> {
  await cp('config', dir, { recursive: true });
  const file = path.join(dir, 'offerd.yaml');
  const text = await readFile(file, 'utf8');
  const off = text.replace(/schedule: "0 \* \* \* \*"/, 'schedule: "off"');
  if (off === text) throw new Error('the shipped config has no hourly journeys schedule to turn off');
  await writeFile(file, off);
  return file;
}

/**
 * A start compiles the TypeScript through tsx: ~8 s on this 2-core host when busy, and a
 * CI run beside other heavy work once took over 45 s. Only a failed start waits this long.
 */
const READY_WITHIN_MS = 90_000;

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`offerd exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await checkedFetch(`${url}/readyz`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`offerd at ${url} was not ready in ${READY_WITHIN_MS / 1000} s:\n${output()}`);
}

/**
 * Starts offerd as its own process (`node --import tsx src/main.ts`, as `npm run dev`
 * does) on a free port the test picks, with `env` on top of this process's environment.
 * Resolves once /readyz answers 200. The caller stops it (hooks cannot use t.teardown).
 */
export async function startOfferdProcess(env: Record<string, string>): Promise<OfferdProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      // Not production: tests run the shipped demo config, whose demo secrets production refuses.
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  child.stdout?.on('data', (d: Buffer) => {
    printed += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    printed += d.toString();
  });
  const exited = once(child, 'exit').catch(() => undefined);
  // If this test process dies without its after hooks, the child must not outlive it.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  void exited.then(() => process.off('exit', orphan));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child, () => printed);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, child, output: () => printed, stop };
}

/**
 * An offerd on the embedded store and a copy of the shipped rules, in a temp dir of the
 * test's own, that the test may start again on the same rules and data (after a kill -9:
 * what must outlive a restart). Every process it started is stopped when the test ends.
 */
export async function restartableOfferd(
  t: ExecutionContext,
  prefix: string,
): Promise<{ rulesDir: string; dataDir: string; start(): Promise<OfferdProcess> }> {
  const root = await tempDir(t, prefix);
  const rulesDir = path.join(root, 'rules');
  await cp('rules', rulesDir, { recursive: true });
  const env = {
    OFFERD_CONFIG: await unscheduledConfig(path.join(root, 'config')),
    OFFERD_RULES_DIR: rulesDir,
    OFFERD_DATA_DIR: path.join(root, 'data'),
    OFFERD_STORE: 'lowdb',
    OFFERD_FIXTURES_GATE: '0',
  };
  const running: OfferdProcess[] = [];
  t.teardown(() => Promise.all(running.map((s) => s.stop())));
  return {
    rulesDir,
    dataDir: env.OFFERD_DATA_DIR,
    start: async () => {
      const svc = await startOfferdProcess(env);
      running.push(svc);
      return svc;
    },
  };
}

/** The demo app's entry of `GET /admin/rules` on `svc`, as the caller reads it. */
export async function demoRulesStatus<T>(svc: OfferdProcess): Promise<T> {
  const res = await fetch(`${svc.url}/admin/rules`, { headers: ADMIN });
  const body = (await res.json()) as { apps: (T & { appId: string })[] };
  const demo = body.apps.find((a) => a.appId === 'demo');
  if (!demo) throw new Error('no demo app');
  return demo;
}
