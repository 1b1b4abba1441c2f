/**
 * `npm run bench -- --store postgres [--users N]` (or `npm run bench:pg`): the production
 * path measured. Starts a real PostgreSQL as the tests do (DATABASE_URL when set),
 * seeds N users (1,000,000 by default) set-based, runs journeys generation on them,
 * starts two offerd instances on the database and measures each API through one load
 * generator spread over both, against the same floor as `npm run bench`. Per API: req/s,
 * p50/p99, ratio to the floor, and SQL round trips and statements per request (from the
 * instances' pool counters on /metrics); then each instance's RSS. Writes
 * bench/results-postgres-<N>.json.
 *
 * BENCH_SECONDS (8 per run), BENCH_APIS=banner,offerwall, BENCH_GENERATION=0 skips generation.
 * `--generation-only`: seed, time journeys generation, print it and stop (no instances,
 * no results file), for measuring the job alone. `--all-active`: the journeys seed before
 * 2026-12-02, every user last seen now (three offers each), for comparing with older figures.
 */
import { spawnSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { pino } from 'pino';
import { createAppLoader, openPostgresStore } from '../src/apis.js';
import { runJourneysGeneration } from '../src/journeys/journeys-generation.js';
import { readAppFiles } from '../src/rules/app-loader.js';
import { type PostgresServer, startPostgres } from '../test/helpers/postgres-server.js';
import { APP, createBenchEnv } from './bench-env.js';
import { measureApis as measureAllApis } from './measure-apis.js';
import { type Child, startService } from './processes.js';
import { seedPostgres } from './seed-postgres.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const USERS = Number(arg('--users') ?? process.env.BENCH_USERS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 64;
const ONLY = process.env.BENCH_APIS?.split(',');
const GENERATION_ONLY = process.argv.includes('--generation-only');
/** The journeys users' seed before 2026-12-02: every user last seen now (see seed-postgres.ts). */
const ALL_ACTIVE = process.argv.includes('--all-active');
const started = performance.now();
const log = (message: string) =>
  process.stderr.write(`[bench-pg ${((performance.now() - started) / 1000).toFixed(0)}s] ${message}\n`);

function build(): void {
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
  if (tsc.status !== 0) throw new Error('npm run build failed');
}

/** What an instance has sent PostgreSQL and how many HTTP requests it answered, from /metrics. */
async function counters(url: string) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const one = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  const requests = [...text.matchAll(/^offerd_http_request_duration_seconds_count\{[^}]*\} (\S+)$/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
  const rss = one('offerd_process_resident_memory_bytes');
  return {
    roundTrips: one('offerd_postgres_round_trips_total'),
    statements: one('offerd_postgres_statements_total'),
    requests,
    rssMb: Math.round(rss / 1e6),
  };
}

async function totals(instances: readonly Child[]) {
  const each = await Promise.all(instances.map((i) => counters(i.url)));
  return {
    roundTrips: each.reduce((n, c) => n + c.roundTrips, 0),
    statements: each.reduce((n, c) => n + c.statements, 0),
    requests: each.reduce((n, c) => n + c.requests, 0),
    rssMb: each.map((c) => c.rssMb),
  };
}

/**
 * Round trips per second the instances send with no request at all (the admin-action
 * follower polls twice a second each): subtracted from the per-request figures.
 */
async function background(instances: readonly Child[]): Promise<number> {
  const before = await totals(instances);
  const t = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const after = await totals(instances);
  return (after.roundTrips - before.roundTrips) / ((performance.now() - t) / 1000);
}

async function measureApis(instances: readonly Child[], root: string) {
  const idlePerSecond = await background(instances);
  log(`background: ${idlePerSecond.toFixed(2)} round trips/s with no request`);
  const plan = {
    urls: instances.map((i) => i.url),
    root,
    users: USERS,
    connections: CONNECTIONS,
    seconds: SECONDS,
    ...(ONLY ? { only: ONLY } : {}),
  };
  return measureAllApis(plan, async (api, _body, load) => {
    const before = await totals(instances);
    const t = performance.now();
    const f = await load();
    log(`load ${api.name}: ${Math.round(performance.now() - t)} ms`);
    const after = await totals(instances);
    const seconds = (performance.now() - t) / 1000;
    // The counters' own /metrics requests are in `requests` too: 2 per instance, negligible.
    const requests = after.requests - before.requests;
    const idle = idlePerSecond * seconds;
    const { runs: _runs, ...kept } = f;
    return {
      api: api.name,
      ...kept,
      roundTripsPerRequest:
        Math.round(((after.roundTrips - before.roundTrips - idle) / requests) * 100) / 100,
      statementsPerRequest:
        Math.round(((after.statements - before.statements - idle) / requests) * 100) / 100,
      backgroundRoundTrips: Math.round(idle),
      requestsCounted: requests,
      rssMbAfter: after.rssMb,
    };
  });
}

async function generation(server: PostgresServer, rules: Awaited<ReturnType<typeof loadRules>>) {
  if (process.env.BENCH_GENERATION === '0') return null;
  const pgCpu = server.cpuMs();
  const store = await openPostgresStore(server.url, { max: 4 });
  let closed = false;
  try {
    const t = performance.now();
    const cpu = process.cpuUsage();
    const report = await runJourneysGeneration(
      // The job's own progress lines (every 100,000 users) and final figures, on stderr.
      { store: store.journeys, now: () => new Date(), logger: pino({ level: 'info' }, pino.destination(2)) },
      { rules, environments: ['test'] },
    );
    const ms = Math.round(performance.now() - t);
    // This process's CPU over the run (user + system, all its threads): the figure a loaded
    // machine distorts least.
    const used = process.cpuUsage(cpu);
    const cpuMs = Math.round((used.user + used.system) / 1000);
    await store.close();
    closed = true;
    // The server's CPU over the run: the run's backends have ended with the pool (their
    // time is the postmaster's reaped children's by now, or shortly after).
    await new Promise((r) => setTimeout(r, 500));
    const after = server.cpuMs();
    const pgCpuMs = pgCpu === null || after === null ? null : after - pgCpu;
    log(
      `journeys generation: ${report.totals.usersScanned} users, ${report.totals.offersCreated} offers, ${ms} ms, ` +
        `node CPU ${cpuMs} ms, PostgreSQL CPU ${pgCpuMs ?? '?'} ms`,
    );
    return { ms, cpuMs, pgCpuMs, ...report.totals };
  } finally {
    if (!closed) await store.close();
  }
}

async function loadRules(rulesDir: string) {
  const loaded = createAppLoader().load(await readAppFiles(rulesDir, APP));
  if (!loaded.ok) throw new Error('scaled rules do not load');
  return loaded.rules;
}

async function main(): Promise<void> {
  if (!GENERATION_ONLY) build();
  const env = await createBenchEnv(1000, 10);
  const rules = await loadRules(env.rulesDir);
  const server = await startPostgres();
  const instances: Child[] = [];
  try {
    const migrated = await openPostgresStore(server.url, { max: 2 });
    log(`seeding ${USERS} users`);
    const seeding = await seedPostgres(migrated.pool, rules, USERS, env.offers, { allActive: ALL_ACTIVE });
    await migrated.close();
    log(`seeded: ${JSON.stringify(seeding.ms)}`);
    const gen = await generation(server, rules);
    if (GENERATION_ONLY) {
      console.log(`journeys generation: ${JSON.stringify(gen)} at load ${os.loadavg().join(' ')}`);
      return;
    }
    const pgEnv = { OFFERD_STORE: 'postgres', DATABASE_URL: server.url };
    for (const id of ['a', 'b'])
      instances.push(await startService({ ...env, env: { ...pgEnv, OFFERD_INSTANCE_ID: `bench-${id}` } }));
    log('two instances ready');
    const apis = await measureApis(instances, env.root);
    const after = await totals(instances);
    for (const a of apis) {
      console.log(
        `${a.api}: ${a.rps} req/s, p50 ${a.p50} ms, p99 ${a.p99} ms, ratio ${a.ratio} of floor (${a.floorRps} req/s), ` +
          `${a.roundTripsPerRequest} round trips and ${a.statementsPerRequest} statements per request, non-2xx ${a.non2xx}`,
      );
    }
    if (gen) console.log(`journeys generation: ${gen.usersScanned} users in ${gen.ms} ms`);
    console.log(`rss: ${after.rssMb.join(' MB, ')} MB (instances a, b) at ${USERS} users`);
    const results = {
      at: new Date().toISOString(),
      store: 'postgres',
      instances: instances.length,
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
      users: USERS,
      connections: CONNECTIONS,
      seconds: SECONDS,
      seeding,
      generation: gen,
      note: 'per-request round trips and statements exclude background polling measured idle (backgroundRoundTrips)',
      apis,
      rssMb: after.rssMb,
      durationS: Math.round((performance.now() - started) / 1000),
    };
    await writeFile(`bench/results-postgres-${USERS}.json`, `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await Promise.all(instances.map((i) => i.stop()));
    await server.stop();
    await rm(env.root, { recursive: true, force: true });
  }
  log('done');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
