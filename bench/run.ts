/**
 * `npm run bench`: builds the service, seeds a temporary embedded store with 100,000
 * users, serves the demo catalog scaled to 1,000 offers and the demo rules scaled ×10,
 * then measures each API against its floor, hot reload under load, the store's write
 * stalls, journeys generation and memory. Prints one line per API, the budget as
 * PASS/FAIL lines, writes bench/results.json and exits 1 when any budget line fails.
 *
 * BENCH_USERS (100000), BENCH_SECONDS (8 per run), BENCH_CPU_PROF=<dir> (profile the service).
 * While iterating: BENCH_WORKDIR=<dir> keeps the seeded world there and reuses it next time
 * (no seeding, generation or stall figures then), BENCH_APIS=banner,offerwall runs only
 * those loads, BENCH_RELOAD=0 skips the reload check. The budget lines cover what ran.
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createAppLoader, openDocumentStore } from '../src/apis.js';
import { runJourneysGeneration } from '../src/journeys/journeys-generation.js';
import { readCatalogFile } from '../src/offerwall/catalog-file.js';
import { OfferPageValidator } from '../src/offerwall/catalog-schema.js';
import { readAppFiles } from '../src/rules/app-loader.js';
import type { AppRules } from '../src/rules/app-rules.js';
import type { DocumentStore } from '../src/store/document/document-store.js';
import { APP, type BenchEnv, createBenchEnv, WALL } from './bench-env.js';
import { checkBudget } from './budget.js';
import { ExpectedOffers } from './expected-offers.js';
import { measureApis as measureAllApis } from './measure-apis.js';
import { mappings } from './memory-mappings.js';
import { type Child, startService } from './processes.js';
import { reloadUnderLoad } from './reload-check.js';
import { seedBanner, seedJourneys, seedOfferwall, uid } from './seed.js';
import { measureStalls } from './store-stall.js';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 64;
const WORKDIR = process.env.BENCH_WORKDIR;
const ONLY = process.env.BENCH_APIS?.split(',');
const RELOAD = process.env.BENCH_RELOAD !== '0';
const started = performance.now();
const log = (message: string) =>
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${message}\n`);

async function timed<T>(what: string, work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await work();
  const ms = Math.round(performance.now() - t);
  log(`${what}: ${ms} ms`);
  return { value, ms };
}

function build(): void {
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
  if (tsc.status !== 0) throw new Error('npm run build failed');
}

async function loadRules(env: BenchEnv): Promise<AppRules> {
  const loaded = createAppLoader().load(await readAppFiles(env.rulesDir, APP));
  if (!loaded.ok) throw new Error(`scaled rules do not load: ${JSON.stringify(loaded.problems.slice(0, 3))}`);
  return loaded.rules;
}

async function seed(env: BenchEnv, rules: AppRules) {
  const marker = path.join(env.dataDir, 'seeded.json');
  if (WORKDIR && existsSync(marker)) {
    log(`reusing the store seeded in ${env.dataDir}`);
    const store = await openDocumentStore(env.dataDir);
    // Closed at once, as after seeding: the service started next must lock the data dir.
    // Its records stay in memory for measureReload to read.
    await store.close();
    return { store, seeding: null, generation: null, stalls: [] };
  }
  const store = await openDocumentStore(env.dataDir);
  const markers = new Set(env.markerOffers);
  const seeding = {
    bannerMs: (await timed('seed banner', () => seedBanner(store, rules, USERS))).ms,
    journeysMs: (await timed('seed journeys', () => seedJourneys(store, USERS))).ms,
    offerwallMs: (
      await timed('seed offerwall', () =>
        seedOfferwall(
          store,
          USERS,
          env.offers.filter((o) => !markers.has(o.offer_id)),
        ),
      )
    ).ms,
  };
  const generation = await timed('journeys generation', () =>
    runJourneysGeneration(
      { store: store.journeys, now: () => new Date() },
      { rules, environments: ['test'] },
    ),
  );
  const stalls = (await timed('store stalls', () => measureStalls(store))).value;
  await store.close();
  await writeFile(marker, JSON.stringify({ users: USERS }));
  const report = generation.value.environments[0];
  return {
    store,
    seeding,
    generation: {
      users: report?.usersScanned,
      ms: generation.ms,
      offersCreated: generation.value.totals.offersCreated,
    },
    stalls,
  };
}

function measureApis(service: Child, root: string) {
  const plan = { urls: [service.url], root, users: USERS, connections: CONNECTIONS, seconds: SECONDS };
  return measureAllApis({ ...plan, ...(ONLY ? { only: ONLY } : {}) }, async (api, body, load) => {
    const f = await timed(`load ${api.name}`, load);
    return { api: api.name, ...f.value, bodyBytes: Buffer.byteLength(body) };
  });
}

async function measureReload(service: Child, env: BenchEnv, store: DocumentStore) {
  const versions = new Map(env.markerOffers.slice(0, 21).map((marker, i) => [i + 1, marker]));
  const offers = await readCatalogFile(
    path.join(env.root, `catalog-${WALL}.json`),
    WALL,
    new OfferPageValidator(),
  );
  const expected = await ExpectedOffers.build(env.rules, env.rulesDir, versions, store.offerwall, offers);
  const users = Array.from({ length: 64 }, () => uid(Math.floor(Math.random() * USERS)));
  return (
    await timed('reload under load', () =>
      reloadUnderLoad({
        url: service.url,
        rules: env.rules,
        expected,
        versions,
        users,
        connections: 32,
        gapMs: 1000,
      }),
    )
  ).value;
}

/** The service's memory from its /metrics, in MB: RSS, and the V8 heap that is most of it. */
async function memoryMb(service: Child) {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const mb = (metric: string) => {
    const match = new RegExp(`^offerd_${metric} (\\S+)$`, 'm').exec(text);
    return match ? Math.round(Number(match[1]) / 1e6) : Number.NaN;
  };
  return {
    rss: mb('process_resident_memory_bytes'),
    heapUsed: mb('nodejs_heap_size_used_bytes'),
    heapTotal: mb('nodejs_heap_size_total_bytes'),
    external: mb('nodejs_external_memory_bytes'),
  };
}

type Seeded = Awaited<ReturnType<typeof seed>>;
type Measured = {
  apis: Awaited<ReturnType<typeof measureApis>>;
  reload: Awaited<ReturnType<typeof measureReload>> | null;
  rss: number;
  memory: Awaited<ReturnType<typeof memoryMb>> & { byMapping: string; settled: string };
};

async function measure(env: BenchEnv, seeded: Seeded): Promise<Measured> {
  const service = await startService({ ...env, cpuProfDir: process.env.BENCH_CPU_PROF });
  log('service ready');
  try {
    const apis = await measureApis(service, env.root);
    const reload = RELOAD ? await measureReload(service, env, seeded.store) : null;
    const memory = await memoryMb(service);
    const pid = service.process.pid as number;
    const byMapping = await mappings(pid);
    // The budget is the RSS right after the loads; 10 s idle later tells memory the
    // process still holds from what it is only slow to give back.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const idle = await memoryMb(service);
    const settled = `${idle.rss} MB 10 s later (heap ${idle.heapUsed} of ${idle.heapTotal} MB): ${await mappings(pid)}`;
    return { apis, reload, rss: memory.rss, memory: { ...memory, byMapping, settled } };
  } finally {
    await service.stop();
  }
}

function print({ apis, reload, memory }: Measured, seeded: Seeded, checks: { line: string }[]): void {
  for (const a of apis) {
    console.log(`${a.api}: ${a.rps} req/s, p99 ${a.p99} ms, non-2xx ${a.non2xx}, ratio ${a.ratio} of floor`);
  }
  if (reload) {
    console.log(
      `reload: ${reload.reloads} reloads under load, max ${reload.reloadMsMax} ms, ${reload.failed} failed, ${reload.mixed} mixed of ${reload.requests}`,
    );
  }
  for (const s of seeded.stalls) {
    console.log(`store: ${s.write} (${s.fileMb} MB): stall max ${s.maxStallMs} ms, mean ${s.meanStallMs} ms`);
  }
  const g = seeded.generation;
  if (g) console.log(`journeys generation: ${g.users} users in ${g.ms} ms`);
  console.log(
    `rss: ${memory.rss} MB (V8 heap: ${memory.heapUsed} MB used, live and not yet collected, of ${memory.heapTotal} MB; external ${memory.external} MB; ${memory.byMapping}); ${memory.settled}`,
  );
  for (const c of checks) console.log(c.line);
}

async function main(): Promise<number> {
  build();
  log('built');
  const env = await createBenchEnv(1000, 10, WORKDIR);
  const rules = await loadRules(env);
  log(
    `${env.rules.segments} segments, ${env.rules.offerwallRules} offerwall rules, ${env.offers.length} offers`,
  );
  const seeded = await seed(env, rules);
  const measured = await measure(env, seeded);
  const checks = checkBudget(measured.apis, measured.reload, measured.rss);
  print(measured, seeded, checks);
  const results = {
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    users: USERS,
    offers: env.offers.length,
    segments: env.rules.segments,
    offerwallRules: env.rules.offerwallRules,
    durationS: Math.round((performance.now() - started) / 1000),
    seeding: seeded.seeding,
    generation: seeded.generation,
    stalls: seeded.stalls,
    ...measured,
    budget: checks,
  };
  await writeFile('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
  if (!WORKDIR) await rm(env.root, { recursive: true, force: true });
  log('done');
  return checks.every((c) => c.ok) ? 0 : 1;
}

const storeArg = process.argv[process.argv.indexOf('--store') + 1];
// `npm run bench -- --store postgres`: the PostgreSQL bench, a program of its own.
if (process.argv.includes('--store') && storeArg === 'postgres') await import('./run-postgres.js');
else if (process.argv.includes('--store') && storeArg !== 'lowdb')
  throw new Error(`--store: lowdb or postgres`);
else
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
