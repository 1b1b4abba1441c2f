/**
 * The benchmark's child processes: the measured service (`node dist/main.js`), the
 * floor server and one autocannon run at a time, each its own process so that the
 * generator and the measured server never share an event loop.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const TSX = ['--import', 'tsx'];

export interface Child {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited with code ${child.exitCode}`);
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the service was not ready within ${timeoutMs} ms`);
}

export interface ServiceOptions {
  configFile: string;
  rulesDir: string;
  dataDir: string;
  /** Directory for a `--cpu-prof` profile of the service, written when it stops. */
  cpuProfDir?: string;
  /** Environment over the defaults below (the PostgreSQL bench: OFFERD_STORE, DATABASE_URL). */
  env?: Record<string, string>;
  /** Node options instead of `npm start`'s. */
  nodeOptions?: string[];
}

/**
 * The node options of `npm start` (`exec node <options> dist/main.js`): the benchmark runs
 * the service the way it is started in production, V8 heap settings included.
 */
export function startNodeOptions(): string[] {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const words = (scripts.start ?? '').split(/\s+/);
  if (words[0] === 'exec') words.shift();
  if (words[0] !== 'node' || words.at(-1) !== 'dist/main.js') {
    throw new Error(`npm start is not "[exec] node [options] dist/main.js": ${scripts.start}`);
  }
  return words.slice(1, -1);
}

/** Starts the built service with the benchmark's config, rules and data; resolves once /readyz is 200. */
export async function startService(options: ServiceOptions): Promise<Child> {
  const port = await freePort();
  const prof = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  const node = options.nodeOptions ?? startNodeOptions();
  const child = spawn(process.execPath, [...node, ...prof, 'dist/main.js'], {
    env: {
      ...process.env,
      PORT: String(port),
      OFFERD_CONFIG: options.configFile,
      OFFERD_RULES_DIR: options.rulesDir,
      OFFERD_DATA_DIR: options.dataDir,
      OFFERD_STORE: 'lowdb',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, child, 120_000);
  return { url, process: child, stop: stopper(child) };
}

/** Starts the floor: bare Koa answering `bodies` ({route: {method, body}}) from a JSON file. */
export async function startFloor(bodiesFile: string): Promise<Child> {
  const child = fork('bench/floor-server.ts', [], {
    execArgv: TSX,
    env: { ...process.env, FLOOR_BODIES: bodiesFile, NODE_ENV: 'production' },
  });
  const [message] = (await once(child, 'message')) as [{ port: number }];
  return { url: `http://127.0.0.1:${message.port}`, process: child, stop: stopper(child) };
}

export interface LoadSpec {
  url: string;
  /** More instances to spread the connections over, as a balancer would (one generator). */
  alsoUrls?: readonly string[];
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  users: number;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

/** One autocannon run in its own process. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const child = fork('bench/load-runner.ts', [JSON.stringify(spec)], { execArgv: TSX });
  const exited = once(child, 'exit');
  const [message] = (await once(child, 'message')) as [LoadResult | { error: string }];
  await exited;
  if ('error' in message) throw new Error(`load run failed: ${message.error}`);
  return message;
}
