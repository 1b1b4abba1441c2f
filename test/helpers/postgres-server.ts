import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestFn } from 'ava';
import pg from 'pg';

export interface PostgresServer {
  /** A connection string to a fresh, empty database of its own. */
  url: string;
  /** Creates another empty database on the same server; its name starts with `prefix`. */
  freshDatabase(prefix?: string): Promise<string>;
  stop(): Promise<void>;
  /** Stops the server process, keeping its data (restart tests); throws on a DATABASE_URL server. */
  halt(): void;
  /** Starts the halted server again, on the same port and data. */
  resume(): void;
  /**
   * SIGSTOPs the server's processes (postmaster and its children): a database that hangs,
   * as a stalled host or a network partition does. Connections stay open; nothing answers.
   */
  freeze(): void;
  /** SIGCONTs what freeze stopped. */
  thaw(): void;
  /**
   * CPU ms the server has used so far (user + system): its processes and the backends that
   * have ended (the postmaster's reaped children), for benches; null on a DATABASE_URL server.
   */
  cpuMs(): number | null;
}

/** The postmaster's pid (first line of postmaster.pid) and its children's. */
function serverPids(data: string): number[] {
  const postmaster = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  return [postmaster, ...children];
}

/** utime + stime (and, with `reaped`, cutime + cstime) of a process, in clock ticks (100 per second on Linux). */
function cpuTicks(pid: number, reaped: boolean): number {
  try {
    // The fields after the command name, which may hold spaces: state is field 3, utime 14.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const [utime, stime, cutime, cstime] = [f[11], f[12], f[13], f[14]] as [number, number, number, number];
    return utime + stime + (reaped ? cutime + cstime : 0);
  } catch {
    return 0; // exited meanwhile
  }
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }
}

/** The server binaries: PATH, `pg_config --bindir`, or Debian's layout. */
function findBinDir(): string | null {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return path.dirname(onPath);
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0 && existsSync(path.join(pgConfig.stdout.trim(), 'initdb')))
    return pgConfig.stdout.trim();
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    for (const v of versions)
      if (existsSync(path.join(debian, v, 'bin', 'initdb'))) return path.join(debian, v, 'bin');
  }
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function createDatabase(adminUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name prefix: ${prefix}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Why no server could be had, said so that nobody mistakes it for a passing run. */
function noServer(reason: string): Error {
  const ci = process.env.CI === 'true' ? ' (CI=true: the PostgreSQL tests must run here)' : '';
  return new Error(
    `PostgreSQL tests cannot run${ci}: ${reason}. Install the PostgreSQL server binaries ` +
      '(initdb, pg_ctl on PATH or under `pg_config --bindir`) or set DATABASE_URL to a server ' +
      'where this user may CREATE DATABASE. These tests fail rather than skip.',
  );
}

/** runuser lives in sbin, which a CI PATH may leave out. */
function findRunuser(): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin'];
  const found = dirs.map((d) => path.join(d, 'runuser')).find((f) => isFile(f));
  if (!found) throw noServer('running as root and `runuser` (util-linux) is not installed');
  return found;
}
const isFile = (f: string): boolean => f.startsWith('/') && existsSync(f);
/** The tools run with the usual system dirs on PATH too (runuser resolves `test` through it). */
const TOOL_ENV = {
  ...process.env,
  PATH: [process.env.PATH, '/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'].join(path.delimiter),
};

/** Runs a server tool, as the `postgres` user when we are root (initdb refuses root). */
function runner(bin: string, asRoot: boolean) {
  return (cmd: string, args: string[]) => {
    const [file, argv] = asRoot
      ? [findRunuser(), ['-u', 'postgres', '--', path.join(bin, cmd), ...args]]
      : [path.join(bin, cmd), args];
    const r = spawnSync(file as string, argv as string[], { encoding: 'utf8', env: TOOL_ENV });
    if (r.error) throw noServer(`${file} could not be started: ${r.error.message}`);
    if (r.status !== 0) throw noServer(`${cmd} failed: ${(r.stderr || r.stdout).trim()}`);
  };
}

/**
 * A temp dir the server user can use: as root, os.tmpdir() may sit below a directory
 * only root can enter (TMPDIR=/root/tmp), so fall back to /tmp when `postgres` cannot.
 */
function clusterDir(asRoot: boolean): string {
  if (!asRoot) return mkdtempSync(path.join(os.tmpdir(), 'offerd-pg-'));
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
  } catch {
    throw noServer('running as root and there is no `postgres` user to run the server as');
  }
  for (const base of [os.tmpdir(), '/tmp']) {
    const dir = mkdtempSync(path.join(base, 'offerd-pg-'));
    chownSync(dir, uid, gid);
    if (spawnSync(findRunuser(), ['-u', 'postgres', '--', 'test', '-w', dir], { env: TOOL_ENV }).status === 0)
      return dir;
    rmSync(dir, { recursive: true, force: true });
  }
  throw noServer('the `postgres` user cannot write to any temp directory');
}

/**
 * A real PostgreSQL for tests: `DATABASE_URL` when set (a fresh database is created on
 * it), otherwise a throwaway cluster started from the installed server binaries in a
 * temp dir on a free port — as the `postgres` user when running as root, since initdb
 * refuses root. Never a mock, and never a silent skip: without a server this throws.
 */
export async function startPostgres(): Promise<PostgresServer> {
  if (process.env.DATABASE_URL) {
    const admin = process.env.DATABASE_URL;
    return {
      url: await createDatabase(admin, 'offerd_test'),
      freshDatabase: (prefix = 'offerd_test') => createDatabase(admin, prefix),
      stop: async () => undefined,
      halt: () => {
        throw new Error('cannot stop a server given by DATABASE_URL');
      },
      resume: () => undefined,
      freeze: () => {
        throw new Error('cannot freeze a server given by DATABASE_URL');
      },
      thaw: () => undefined,
      cpuMs: () => null,
    };
  }
  const bin = findBinDir();
  if (!bin) throw noServer('no PostgreSQL server binaries (initdb) found and DATABASE_URL is not set');
  const asRoot = process.getuid?.() === 0;
  const dir = clusterDir(asRoot);
  const run = runner(bin, asRoot);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const startCluster = () =>
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(dir, 'log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`,
      'start',
    ]);
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    // fsync off: a test cluster is thrown away, durability is not what these tests measure.
    startCluster();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  let frozen: number[] = [];
  const stop = () => {
    if (stopped) return;
    stopped = true;
    // A frozen server would never stop (and a test that failed while it was frozen left it so).
    signalAll(frozen, 'SIGCONT');
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // A test process that dies (an uncaught exception skips after.always) must not leave
  // its cluster running: 'exit' handlers still run, and stop() is synchronous.
  process.once('exit', stop);
  return {
    url: await createDatabase(adminUrl, 'offerd_test'),
    freshDatabase: (prefix = 'offerd_test') => createDatabase(adminUrl, prefix),
    stop: async () => stop(),
    halt: () => run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']),
    resume: startCluster,
    freeze: () => {
      frozen = serverPids(data);
      signalAll(frozen, 'SIGSTOP');
    },
    thaw: () => {
      signalAll(frozen, 'SIGCONT');
      frozen = [];
    },
    cpuMs: () => {
      const [postmaster, ...children] = serverPids(data);
      const ticks =
        cpuTicks(postmaster as number, true) + children.reduce((n, c) => n + cpuTicks(c, false), 0);
      return ticks * 10;
    },
  };
}

/** The file's server: call it inside a test; `ready()` for other before hooks (hooks run concurrently). */
export interface UsedPostgres {
  (): PostgresServer;
  ready(): Promise<PostgresServer>;
}

/** Starts one server for the test file (before) and stops it (after.always). */
export function usePostgres(test: TestFn): UsedPostgres {
  let server: PostgresServer | undefined;
  let starting: Promise<PostgresServer> | undefined;
  const ready = () => {
    starting ??= startPostgres().then((s) => {
      server = s;
      return s;
    });
    return starting;
  };
  test.before(async () => {
    await ready();
  });
  test.after.always(async () => {
    await server?.stop();
  });
  const current = () => {
    if (!server) throw new Error('the PostgreSQL server did not start (see the before hook)');
    return server;
  };
  return Object.assign(current, { ready });
}
