/**
 * The three APIs under load and their floors. For each API: a warm-up, then runs that
 * alternate API / floor / API / floor so that drift of the shared machine hits both.
 * The floor answers the same route with a real response of the API, precomputed.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BENCH_KEYS } from './bench-env.js';
import { type Child, type LoadResult, type LoadSpec, runLoad, startFloor } from './processes.js';
import { bannerBody, uid } from './seed.js';

export interface ApiDef {
  name: 'banner' | 'offerwall' | 'journeys';
  method: 'GET' | 'POST';
  /** With `{uid}` where the user id goes. */
  path: string;
  /** The floor's route for the same path. */
  route: string;
  headers: Record<string, string>;
  body?: string;
}

export const APIS: readonly ApiDef[] = [
  {
    name: 'banner',
    method: 'POST',
    path: '/getPersonalizedBanner',
    route: '/getPersonalizedBanner',
    headers: { authorization: BENCH_KEYS['demo-banner'], 'content-type': 'application/json' },
    body: JSON.stringify(bannerBody('{uid}')),
  },
  {
    name: 'offerwall',
    method: 'GET',
    path: '/api/v1/users/{uid}/personalized?wall=1001&numoffers=20&ip=5.9.0.1&device=android&sid3=bench',
    route: '/api/v1/users/:uid/personalized',
    headers: {},
  },
  {
    name: 'journeys',
    method: 'GET',
    path: '/v1/user-journeys/users/{uid}/offers',
    route: '/v1/user-journeys/users/:externalId/offers',
    headers: { 'x-api-key': BENCH_KEYS['demo-journeys-test'] },
  },
];

export interface ApiFigures {
  api: string;
  rps: number;
  p50: number;
  /** Median over the rounds. */
  p99: number;
  p99Worst: number;
  non2xx: number;
  errors: number;
  floorRps: number;
  floorP99: number;
  /** The floor's p99, median of the rounds: the p99 budget is relative to it. */
  floorP99Median: number;
  /** Median over the rounds of API req/s ÷ the floor's in the same round. */
  ratio: number;
  roundRatios: number[];
  bodyBytes: number;
  runs: { target: 'api' | 'floor'; result: LoadResult }[];
}

async function call(baseUrl: string, api: ApiDef, user: string): Promise<{ status: number; text: string }> {
  const fill = (s: string) => s.replaceAll('{uid}', user);
  const res = await fetch(baseUrl + fill(api.path), {
    method: api.method,
    headers: api.headers,
    ...(api.body ? { body: fill(api.body) } : {}),
  });
  return { status: res.status, text: await res.text() };
}

/** A real response of the API, of median size over a few users: the floor's body. */
export async function sampleBody(baseUrl: string, api: ApiDef, users: number): Promise<string> {
  const bodies: string[] = [];
  for (let k = 0; k < 21; k++) {
    const { status, text } = await call(baseUrl, api, uid(Math.floor(((k + 0.5) / 21) * users)));
    if (status !== 200)
      throw new Error(`${api.name} answered ${status} while sampling: ${text.slice(0, 200)}`);
    bodies.push(text);
  }
  bodies.sort((a, b) => a.length - b.length);
  return bodies[10] as string;
}

/** Starts the floor with one precomputed body per API route. */
export async function floorFor(dir: string, bodies: Map<ApiDef, string>): Promise<Child> {
  const file = path.join(dir, 'floor-bodies.json');
  const routes = Object.fromEntries(
    [...bodies].map(([api, body]) => [api.route, { method: api.method, body }]),
  );
  await writeFile(file, JSON.stringify(routes));
  return startFloor(file);
}

export interface LoadPlan {
  users: number;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : mean(sorted.slice(mid - 1, mid + 1));
}

/**
 * Warm-up of each, then `rounds` × (API, floor). Each round's ratio is its API run over the
 * floor run right after it, and the ratio reported is their median, as is p99: a run that
 * the shared host disturbed (seen: a floor at 23k req/s instead of 28–42k, its p99 at 14 ms
 * instead of 4) then moves neither figure, in either direction. The worst p99 and every
 * round's ratio are kept in results.json. req/s are means.
 */
export async function measureApi(
  api: ApiDef,
  service: string | readonly string[],
  floorUrl: string,
  plan: LoadPlan,
) {
  const [serviceUrl = '', ...alsoUrls] = typeof service === 'string' ? [service] : service;
  const spec = (url: string, seconds: number): LoadSpec => ({
    url,
    ...(url === serviceUrl && alsoUrls.length > 0 ? { alsoUrls } : {}),
    method: api.method,
    path: api.path,
    headers: api.headers,
    ...(api.body ? { body: api.body } : {}),
    users: plan.users,
    connections: plan.connections,
    seconds,
  });
  // Both warm up alike: JIT tiers, caches filled (the rules' decision caches, a banner
  // user's first assignment), so the runs compare steady states.
  await runLoad(spec(serviceUrl, plan.warmupSeconds));
  await runLoad(spec(floorUrl, plan.warmupSeconds));
  const runs: ApiFigures['runs'] = [];
  for (let r = 0; r < plan.rounds; r++) {
    runs.push({ target: 'api', result: await runLoad(spec(serviceUrl, plan.seconds)) });
    runs.push({ target: 'floor', result: await runLoad(spec(floorUrl, plan.seconds)) });
  }
  const of = (t: 'api' | 'floor') => runs.filter((x) => x.target === t).map((x) => x.result);
  const apiRuns = of('api');
  const floorRuns = of('floor');
  // A floor that answered anything but 2xx (a route or method mismatch) measured something else.
  const badFloor = floorRuns.find((x) => x.non2xx > 0 || x.errors > 0);
  if (badFloor)
    throw new Error(`${api.name}: the floor answered ${badFloor.non2xx} non-2xx, ${badFloor.errors} errors`);
  const rps = mean(apiRuns.map((x) => x.rps));
  const floorRps = mean(floorRuns.map((x) => x.rps));
  const roundRatios = apiRuns.map(
    (x, r) => Math.round((x.rps / (floorRuns[r] as LoadResult).rps) * 1000) / 1000,
  );
  return {
    rps: Math.round(rps),
    p50: median(apiRuns.map((x) => x.p50)),
    p99: median(apiRuns.map((x) => x.p99)),
    p99Worst: Math.max(...apiRuns.map((x) => x.p99)),
    non2xx: apiRuns.reduce((n, x) => n + x.non2xx, 0),
    errors: apiRuns.reduce((n, x) => n + x.errors, 0),
    floorRps: Math.round(floorRps),
    floorP99: Math.max(...floorRuns.map((x) => x.p99)),
    floorP99Median: median(floorRuns.map((x) => x.p99)),
    ratio: median(roundRatios),
    roundRatios,
    runs,
  };
}
