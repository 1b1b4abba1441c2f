import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { signPostback } from '../../src/domain/offerwall/signatures.js';
import { DocumentStore } from '../../src/store/document/document-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { type OfferdProcess, startOfferdProcess, unscheduledConfig } from '../helpers/offerd-process.js';
import { type PostgresServer, startPostgres } from '../helpers/postgres-server.js';

/**
 * The kill -9 crash suite: the real service as a child process, SIGKILLed at a random
 * moment under concurrent writes on every write path, restarted on the same data; every
 * write it acknowledged before dying must be there afterwards. "Acknowledged" is a
 * response received in full with the path's success status (2xx; a click's 302).
 *
 * Each run's writes are checked through the restarted service's APIs where one shows
 * them (a profile, an event or postback sent again comes back as a duplicate, a claimed
 * offer cannot be claimed again), and through the store port, opened beside it and only
 * read, where none does (assignments, tracked-event and click counts). The restarted
 * service then carries the next run, so `runs` runs start the service `runs + 1` times.
 */

export type StoreName = 'lowdb' | 'postgres';

export const PATHS = [
  'banner render',
  'banner track',
  'journeys event',
  'journeys profile',
  'journeys claim',
  'offerwall click',
  'offerwall postback',
] as const;
export type PathName = (typeof PATHS)[number];

export interface Tally {
  tried: number;
  acknowledged: number;
  lost: number;
}

export interface StoreReport {
  store: StoreName;
  runs: number;
  seconds: number;
  paths: Record<PathName, Tally>;
  /** What was lost, the first few, for the failure message. */
  losses: string[];
}

export interface CrashOptions {
  runs: number;
  stores: readonly StoreName[];
  /** Concurrent clients during the load (default 12). */
  workers?: number;
  /** The kill comes this long after the load starts, uniformly in [min, max] ms (default 300–2000). */
  killAfterMs?: [number, number];
  log?: (line: string) => void;
}

const APP = 'demo';
const WALL = 1001;
const POSTBACK_SECRET = 'demo-postback-secret-change-me';
const ADMIN = { Authorization: 'Bearer demo-admin-token' };
const JSON_HEADERS = { 'Content-Type': 'application/json' };
const BANNER_HEADERS = { ...JSON_HEADERS, Authorization: 'demo-key' };
const JOURNEYS_HEADERS = { ...JSON_HEADERS, 'X-API-Key': 'pk_test_demo' };
const JOURNEYS = '/v1/user-journeys';
/** Users per pool: few enough that writes meet on shards and records, enough to spread. */
const POOL = 24;

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const between = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));

/** Where a store's data lives across the runs, and how to read it beside the service. */
interface World {
  env: Record<string, string>;
  openPort(): Promise<Store>;
  close(): Promise<void>;
}

async function openWorld(store: StoreName, pg: () => Promise<PostgresServer>): Promise<World> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `offerd-crash-${store}-`));
  const config = await unscheduledConfig(path.join(dir, 'config'));
  const base = { OFFERD_CONFIG: config, LOG_LEVEL: 'error' };
  const cleanup = () => rm(dir, { recursive: true, force: true });
  if (store === 'lowdb') {
    const data = path.join(dir, 'data');
    return {
      env: { ...base, OFFERD_STORE: 'lowdb', OFFERD_DATA_DIR: data },
      // Only read: nothing here writes, and close() has nothing to flush.
      openPort: () => DocumentStore.open(data),
      close: cleanup,
    };
  }
  const url = await (await pg()).freshDatabase('crash');
  return {
    env: { ...base, OFFERD_STORE: 'postgres', DATABASE_URL: url },
    openPort: () => PostgresStore.open(url, { max: 4 }),
    close: cleanup,
  };
}

/** A check of acknowledged writes after the restart: how many of them are missing. */
interface Check {
  path: PathName;
  label: string;
  missing(v: { url: string; port: Store }): Promise<number>;
}

interface ClickTarget {
  uid: string;
  offerId: number;
  clickUrl: string;
  eventId: string;
}

/** What a run writes to: offers to claim and links to click, made before the load. */
interface Setup {
  run: string;
  claims: { user: string; offerId: string }[];
  clicks: ClickTarget[];
}

async function must(res: Promise<Response>, what: string): Promise<Response> {
  const r = await res;
  if (r.status >= 400) throw new Error(`${what}: ${r.status} ${await r.text()}`);
  return r;
}

async function prepare(url: string, run: string): Promise<Setup> {
  const claimUsers = Array.from({ length: 8 }, (_, i) => `c${run}-${i}`);
  const events = claimUsers.map((externalId) => ({
    externalId,
    eventType: 'spin',
    category: 'GAME_PLAY',
    points: 5,
  }));
  await must(
    fetch(`${url}${JOURNEYS}/track`, {
      method: 'POST',
      headers: JOURNEYS_HEADERS,
      body: JSON.stringify({ events }),
    }),
    'journeys track',
  );
  await must(
    fetch(`${url}/admin/apps/${APP}/journeys/generate?environment=test`, { method: 'POST', headers: ADMIN }),
    'journeys generate',
  );
  const claims: Setup['claims'] = [];
  for (const user of claimUsers) {
    const res = await must(
      fetch(`${url}${JOURNEYS}/users/${user}/offers`, { headers: JOURNEYS_HEADERS }),
      'offers',
    );
    const { data } = (await res.json()) as { data: { offers: { id: string }[] } };
    for (const o of data.offers) claims.push({ user, offerId: o.id });
  }
  const clicks: ClickTarget[] = [];
  for (let i = 0; i < 6; i++) {
    const uid = `w${run}-${i}`;
    const res = await must(
      fetch(`${url}/api/v1/users/${uid}/personalized?wall=${WALL}&numoffers=4&ip=8.8.8.8&sid3=crash`),
      'offerwall',
    );
    const { offers } = (await res.json()) as {
      offers: { offer_id: number; click_url: string; events: { event_id: string }[] }[];
    };
    for (const o of offers) {
      clicks.push({
        uid,
        offerId: o.offer_id,
        clickUrl: o.click_url,
        eventId: o.events[0]?.event_id ?? 'base',
      });
    }
  }
  if (claims.length === 0 || clicks.length === 0)
    throw new Error('the setup found no offer to claim or click');
  return { run, claims, clicks };
}

function postbackQuery(t: ClickTarget, transactionId: string): string {
  const sig = signPostback(POSTBACK_SECRET, {
    wallId: WALL,
    uid: t.uid,
    offerId: t.offerId,
    eventId: t.eventId,
    transactionId,
  });
  return new URLSearchParams({
    wall: String(WALL),
    uid: t.uid,
    offer: String(t.offerId),
    event: t.eventId,
    transaction_id: transactionId,
    sig,
  }).toString();
}

/** One request; its body when the path's success status came back in full, else null. */
async function send(url: string, init: RequestInit, ok: number): Promise<string | null> {
  try {
    const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    return res.status === ok ? text : null;
  } catch {
    return null;
  }
}

/** The writes of one run and what to check of those acknowledged. */
class Ledger {
  readonly tally = Object.fromEntries(
    PATHS.map((p) => [p, { tried: 0, acknowledged: 0, lost: 0 }]),
  ) as Record<PathName, Tally>;
  readonly checks: Check[] = [];
  /** Acknowledged counts that the store adds up (tracked events per user, clicks per offer). */
  readonly tracked = new Map<string, number>();
  readonly clicked = new Map<string, { target: ClickTarget; count: number }>();
  private seq = 0;

  constructor(
    private readonly url: string,
    private readonly setup: Setup,
  ) {}

  next(): number {
    return ++this.seq;
  }

  /** Sends one write of `path`; on acknowledgement, `onAck` records what must survive. */
  async write(path: PathName, target: string, init: RequestInit, ok: number, onAck: (body: string) => void) {
    this.tally[path].tried++;
    const body = await send(`${this.url}${target}`, init, ok);
    if (body === null) return;
    this.tally[path].acknowledged++;
    onAck(body);
  }

  /** One write on a random path. */
  async any(): Promise<void> {
    const r = this.setup.run;
    const n = this.next();
    const user = (prefix: string) => `${prefix}${r}-${between(0, POOL - 1)}`;
    const paths = PATHS.filter((p) => p !== 'journeys claim' || this.setup.claims.length > 0);
    const path = pick(paths);
    switch (path) {
      case 'banner render': {
        const userId = user('b');
        const body = JSON.stringify({
          userId,
          offerId: '8622',
          activeChamp: 'ahri',
          prizeTypes: ['champion'],
        });
        return this.write(
          path,
          '/ab/getPersonalizedBanner',
          { method: 'POST', headers: BANNER_HEADERS, body },
          200,
          (text) => {
            const { kibotuMetadata: m } = JSON.parse(text) as {
              kibotuMetadata: { experimentId: string; variationId: number };
            };
            // Outside every experiment a render promises nothing durable (its counts are written behind).
            if (!m.experimentId) return;
            this.checks.push({
              path,
              label: `${userId} assigned ${m.experimentId}/${m.variationId}`,
              missing: async ({ port }) => {
                const found = await port.banner.assignments(APP, userId);
                return found.some((a) => a.experimentId === m.experimentId && a.variationId === m.variationId)
                  ? 0
                  : 1;
              },
            });
          },
        );
      }
      case 'banner track': {
        const userId = user('b');
        const time = Math.floor(Date.now() / 1000);
        const body = JSON.stringify([
          { event: 'AppStart', properties: { distinct_id: userId, time } },
          { event: 'LevelUp', properties: { distinct_id: userId, time } },
        ]);
        return this.write(
          path,
          '/track?ip=0&verbose=1',
          { method: 'POST', headers: BANNER_HEADERS, body },
          200,
          () => {
            this.tracked.set(userId, (this.tracked.get(userId) ?? 0) + 2);
          },
        );
      }
      case 'journeys event': {
        const body = JSON.stringify({
          externalId: user('j'),
          eventType: 'spin',
          category: 'GAME_PLAY',
          points: 1,
          clientEventId: `e${r}-${n}`,
        });
        return this.write(
          path,
          `${JOURNEYS}/events`,
          { method: 'POST', headers: JOURNEYS_HEADERS, body },
          201,
          () => {
            this.checks.push({
              path,
              label: `event e${r}-${n}`,
              // Sent again, a stored event is a duplicate (200); a lost one is stored now (201).
              missing: async ({ url }) =>
                (await send(
                  `${url}${JOURNEYS}/events`,
                  { method: 'POST', headers: JOURNEYS_HEADERS, body },
                  200,
                )) === null
                  ? 1
                  : 0,
            });
          },
        );
      }
      case 'journeys profile': {
        const externalId = `p${r}-${n}`;
        const body = JSON.stringify({ externalId, displayName: `P${n}`, country: 'de', tags: { crash: n } });
        return this.write(
          path,
          `${JOURNEYS}/users`,
          { method: 'POST', headers: JOURNEYS_HEADERS, body },
          201,
          () => {
            this.checks.push({
              path,
              label: `profile ${externalId}`,
              missing: async ({ url }) => {
                const text = await send(
                  `${url}${JOURNEYS}/users/${externalId}`,
                  { headers: JOURNEYS_HEADERS },
                  200,
                );
                const data =
                  text && (JSON.parse(text) as { data: { displayName: string; tags: object } }).data;
                return data && data.displayName === `P${n}` ? 0 : 1;
              },
            });
          },
        );
      }
      case 'journeys claim': {
        const claim = this.setup.claims.pop();
        if (!claim) return;
        const target = `${JOURNEYS}/users/${claim.user}/offers/${claim.offerId}/claim`;
        return this.write(path, target, { method: 'POST', headers: JOURNEYS_HEADERS }, 200, () => {
          this.checks.push({
            path,
            label: `claim ${claim.offerId}`,
            // Claimed again, a stored claim is refused as not active (400); a lost one succeeds.
            missing: async ({ url }) =>
              (await send(`${url}${target}`, { method: 'POST', headers: JOURNEYS_HEADERS }, 400)) === null
                ? 1
                : 0,
          });
        });
      }
      case 'offerwall click': {
        const t = pick(this.setup.clicks);
        return this.write(path, t.clickUrl.replace(/^https?:\/\/[^/]+/, ''), {}, 302, () => {
          const k = `${t.uid}/${t.offerId}`;
          const known = this.clicked.get(k) ?? { target: t, count: 0 };
          known.count++;
          this.clicked.set(k, known);
        });
      }
      case 'offerwall postback': {
        const t = pick(this.setup.clicks);
        const target = `/api/v1/postback?${postbackQuery(t, `tx${r}-${n}`)}`;
        return this.write(path, target, {}, 200, () => {
          this.checks.push({
            path,
            label: `postback tx${r}-${n}`,
            missing: async ({ url }) => {
              const text = await send(`${url}${target}`, {}, 200);
              return text && (JSON.parse(text) as { duplicate: boolean }).duplicate ? 0 : 1;
            },
          });
        });
      }
    }
  }

  /** The checks of the counts the store adds up, once the load is over. */
  countChecks(): Check[] {
    const checks: Check[] = [];
    for (const [userId, count] of this.tracked) {
      checks.push({
        path: 'banner track',
        label: `${userId}: ${count} tracked events`,
        // Two events per batch, stored all or nothing: counted in batches.
        missing: async ({ port }) =>
          Math.ceil(Math.max(0, count - ((await port.banner.user(APP, userId))?.events ?? 0)) / 2),
      });
    }
    for (const { target: t, count } of this.clicked.values()) {
      checks.push({
        path: 'offerwall click',
        label: `${t.uid}: ${count} clicks on ${t.offerId}`,
        missing: async ({ port }) => {
          const p = (await port.offerwall.progressOf(APP, t.uid)).find((x) => x.offerId === t.offerId);
          return Math.max(0, count - (p?.clicks ?? 0));
        },
      });
    }
    return checks;
  }
}

/** Load on every path from `workers` clients; SIGKILL at a random moment; resolves once the process is gone. */
async function loadAndKill(svc: OfferdProcess, ledger: Ledger, options: Required<Omit<CrashOptions, 'log'>>) {
  let dead = false;
  const worker = async () => {
    while (!dead) await ledger.any();
  };
  const exited = new Promise<void>((resolve) => {
    if (svc.child.exitCode !== null) resolve();
    else svc.child.once('exit', () => resolve());
  });
  const workers = Array.from({ length: options.workers }, worker);
  await sleep(between(...options.killAfterMs));
  // No new request after the kill; those in flight die with the process.
  dead = true;
  svc.child.kill('SIGKILL');
  await exited;
  await Promise.all(workers);
}

async function verify(url: string, world: World, ledger: Ledger, losses: string[]): Promise<void> {
  const port = await world.openPort();
  try {
    for (const check of [...ledger.checks, ...ledger.countChecks()]) {
      const missing = await check.missing({ url, port });
      if (missing > 0) {
        ledger.tally[check.path].lost += missing;
        if (losses.length < 20) losses.push(`${check.path}: ${check.label} (${missing} lost)`);
      }
    }
  } finally {
    await port.close();
  }
}

async function crashStore(
  store: StoreName,
  options: Required<Omit<CrashOptions, 'log'>>,
  pg: () => Promise<PostgresServer>,
  log: (line: string) => void,
): Promise<StoreReport> {
  const started = Date.now();
  const world = await openWorld(store, pg);
  const report: StoreReport = {
    store,
    runs: 0,
    seconds: 0,
    paths: Object.fromEntries(PATHS.map((p) => [p, { tried: 0, acknowledged: 0, lost: 0 }])) as Record<
      PathName,
      Tally
    >,
    losses: [],
  };
  let svc = await startOfferdProcess(world.env);
  try {
    for (let run = 1; run <= options.runs; run++) {
      const setup = await prepare(svc.url, `${run}`);
      const ledger = new Ledger(svc.url, setup);
      await loadAndKill(svc, ledger, options);
      svc = await startOfferdProcess(world.env);
      await verify(svc.url, world, ledger, report.losses);
      for (const p of PATHS) {
        for (const k of ['tried', 'acknowledged', 'lost'] as const) report.paths[p][k] += ledger.tally[p][k];
      }
      report.runs = run;
      const acked = PATHS.reduce((s, p) => s + ledger.tally[p].acknowledged, 0);
      const lost = PATHS.reduce((s, p) => s + ledger.tally[p].lost, 0);
      log(`${store} run ${run}/${options.runs}: ${acked} acknowledged, ${lost} lost`);
    }
  } finally {
    await svc.stop();
    await world.close();
    report.seconds = Math.round((Date.now() - started) / 1000);
  }
  return report;
}

/** Runs the suite on each store in turn (PostgreSQL: one throwaway server for all its runs). */
export async function runCrashSuite(options: CrashOptions): Promise<StoreReport[]> {
  const full = {
    runs: options.runs,
    stores: options.stores,
    workers: options.workers ?? 12,
    killAfterMs: options.killAfterMs ?? ([300, 2000] as [number, number]),
  };
  const log = options.log ?? (() => {});
  let server: Promise<PostgresServer> | undefined;
  const pg = () => {
    server ??= startPostgres();
    return server;
  };
  try {
    const reports: StoreReport[] = [];
    for (const store of options.stores) reports.push(await crashStore(store, full, pg, log));
    return reports;
  } finally {
    if (server) await (await server).stop();
  }
}

/** The figures as a table: per store and path, tried / acknowledged / lost. */
export function formatReports(reports: readonly StoreReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`${r.store}: ${r.runs} runs, ${r.seconds} s`);
    lines.push(`  ${'path'.padEnd(20)}${'tried'.padStart(8)}${'acked'.padStart(8)}${'lost'.padStart(6)}`);
    for (const p of PATHS) {
      const t = r.paths[p];
      lines.push(
        `  ${p.padEnd(20)}${String(t.tried).padStart(8)}${String(t.acknowledged).padStart(8)}${String(t.lost).padStart(6)}`,
      );
    }
    for (const l of r.losses) lines.push(`  LOST ${l}`);
  }
  return lines.join('\n');
}

export const totalLost = (reports: readonly StoreReport[]): number =>
  reports.reduce((s, r) => s + PATHS.reduce((x, p) => x + r.paths[p].lost, 0), 0);
