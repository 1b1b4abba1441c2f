/**
 * Hot reload under load: a load loop of our own keeps the offerwall busy while the
 * Offerwall rule file is rewritten 20 times (a bumped version whose marker rule boosts
 * another offer) and each time `POST /admin/rules/reload` activates it. Every response
 * is checked: 200, an `X-Rules-Version` naming a known version, and a body that is
 * exactly what that version must answer (offer order and each offer's boost) — a
 * response mixing two versions cannot pass.
 */
import { writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { BENCH_ADMIN_TOKEN } from './bench-env.js';
import { type ExpectedOffers, marksOf, OFFERWALL_QUERY, sameMarks } from './expected-offers.js';
import type { ScaledRules } from './scale-rules.js';

export interface ReloadFigures {
  reloads: number;
  activated: number;
  /** Reload times reported by the service (`outcomes[].ms`). */
  reloadMsMax: number;
  reloadMsMean: number;
  requests: number;
  failed: number;
  mixed: number;
  versionsSeen: number;
  mixedSamples: string[];
}

interface Counts {
  requests: number;
  failed: number;
  mixed: number;
  seen: Set<number>;
  samples: string[];
}

const ADMIN = { authorization: `Bearer ${process.env.OFFERD_ADMIN_TOKEN || BENCH_ADMIN_TOKEN}` };

function get(agent: Agent, url: string): Promise<{ status: number; version: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          version: String(res.headers['x-rules-version'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** `demo;version=…,offerwall:7,…;hash=…` → 7. */
function offerwallVersion(header: string): number | null {
  const match = /[,=]offerwall:(\d+)[,;]/.exec(header);
  return match ? Number(match[1]) : null;
}

async function check(
  expected: ExpectedOffers,
  counts: Counts,
  user: string,
  res: { status: number; version: string; body: string },
) {
  counts.requests++;
  if (res.status !== 200) {
    counts.failed++;
    return;
  }
  const version = offerwallVersion(res.version);
  const got = marksOf(JSON.parse(res.body));
  const want = version === null ? null : await expected.of(version, user);
  if (version !== null && want && sameMarks(got, want)) {
    counts.seen.add(version);
    return;
  }
  // Freshness moves with the clock: recompute once before calling it a mix.
  const fresh = version === null ? null : await expected.of(version, user, true);
  if (version !== null && fresh && sameMarks(got, fresh)) {
    counts.seen.add(version);
    return;
  }
  counts.mixed++;
  if (counts.samples.length < 5)
    counts.samples.push(`${user} ${res.version}: ${JSON.stringify(got.slice(0, 3))}`);
}

function loadLoop(url: string, users: readonly string[], expected: ExpectedOffers, connections: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const counts: Counts = { requests: 0, failed: 0, mixed: 0, seen: new Set(), samples: [] };
  let running = true;
  const q = `wall=1001&numoffers=${OFFERWALL_QUERY.limit}&ip=${OFFERWALL_QUERY.ip}&device=${OFFERWALL_QUERY.device}&sid3=bench&include_sortmetric=true`;
  const worker = async () => {
    while (running) {
      const user = users[Math.floor(Math.random() * users.length)] as string;
      try {
        await check(
          expected,
          counts,
          user,
          await get(agent, `${url}/api/v1/users/${user}/personalized?${q}`),
        );
      } catch {
        counts.requests++;
        counts.failed++;
      }
    }
  };
  const workers = Array.from({ length: connections }, worker);
  return {
    counts,
    async stop() {
      running = false;
      await Promise.all(workers);
      agent.destroy();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ReloadPlan {
  url: string;
  rules: ScaledRules;
  expected: ExpectedOffers;
  /** Offerwall version → its marker offer; version 1 is active when the check starts. */
  versions: Map<number, number>;
  users: readonly string[];
  connections: number;
  gapMs: number;
}

type Outcome = { result: string; ms: number; hash?: string };

/** The newest activation of the demo app, from GET /admin/rules. */
async function lastActivation(url: string): Promise<{ hash: string; ms: number } | undefined> {
  const res = await fetch(`${url}/admin/rules`, { headers: ADMIN });
  const body = (await res.json()) as { apps: { appId: string; history: { hash: string; ms: number }[] }[] };
  return body.apps.find((a) => a.appId === 'demo')?.history[0];
}

async function reloadOnce(plan: ReloadPlan, version: number, marker: number): Promise<Outcome> {
  await writeFile(plan.rules.offerwallFile, plan.rules.offerwallText(version, marker));
  // Right after the write: usually this request does the activation. Under load the
  // service's watcher (200 ms debounce) can get there first; then the POST finds the
  // files unchanged and the activation, with its time, is the newest in the history.
  const res = await fetch(`${plan.url}/admin/rules/reload?app=demo`, { method: 'POST', headers: ADMIN });
  const { outcomes } = (await res.json()) as { outcomes: Outcome[] };
  const outcome = outcomes[0] ?? { result: 'missing', ms: 0 };
  if (outcome.result !== 'unchanged') return outcome;
  const last = await lastActivation(plan.url);
  return last && last.hash === outcome.hash ? { result: 'activated', ms: last.ms } : outcome;
}

export async function reloadUnderLoad(plan: ReloadPlan): Promise<ReloadFigures> {
  const loop = loadLoop(plan.url, plan.users, plan.expected, plan.connections);
  const outcomes: { result: string; ms: number }[] = [];
  await sleep(plan.gapMs);
  for (const [version, marker] of plan.versions) {
    if (version === 1) continue;
    outcomes.push(await reloadOnce(plan, version, marker));
    await sleep(plan.gapMs);
  }
  await loop.stop();
  const activated = outcomes.filter((o) => o.result === 'activated');
  const ms = activated.map((o) => o.ms);
  const { counts } = loop;
  return {
    reloads: outcomes.length,
    activated: activated.length,
    reloadMsMax: Math.max(0, ...ms),
    reloadMsMean: Math.round((ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length)) * 10) / 10,
    requests: counts.requests,
    failed: counts.failed,
    mixed: counts.mixed,
    versionsSeen: counts.seen.size,
    mixedSamples: counts.samples,
  };
}
