/**
 * The part of measuring every API that `npm run bench` (one instance, embedded store) and
 * `npm run bench:pg` (two instances on PostgreSQL) share: sample each API's body from the
 * first instance, start the floor with them, load each API (BENCH_APIS narrows them)
 * through one generator spread over every instance, and stop the floor whatever happens.
 * What each bench adds around one API's load (timing, database counters) is `around`.
 */
import { APIS, type ApiDef, floorFor, measureApi, sampleBody } from './api-loads.js';

export interface ApisPlan {
  /** Every instance's base URL; bodies are sampled from the first. */
  urls: readonly string[];
  /** A directory the floor's bodies file can be written to. */
  root: string;
  users: number;
  connections: number;
  seconds: number;
  /** API names to load; every API when absent. */
  only?: readonly string[];
}

export type ApiLoad = Awaited<ReturnType<typeof measureApi>>;

/** One call of `around` per API measured, in APIS order; its results in that order. */
export async function measureApis<R>(
  plan: ApisPlan,
  around: (api: ApiDef, body: string, load: () => Promise<ApiLoad>) => Promise<R>,
): Promise<R[]> {
  const first = plan.urls[0] ?? '';
  const bodies = new Map<ApiDef, string>();
  for (const api of APIS) bodies.set(api, await sampleBody(first, api, plan.users));
  const floor = await floorFor(plan.root, bodies);
  const load = {
    users: plan.users,
    connections: plan.connections,
    seconds: plan.seconds,
    warmupSeconds: plan.seconds,
    rounds: 3,
  };
  try {
    const figures: R[] = [];
    for (const api of APIS.filter((a) => !plan.only || plan.only.includes(a.name))) {
      const body = bodies.get(api) ?? '';
      figures.push(await around(api, body, () => measureApi(api, plan.urls, floor.url, load)));
    }
    return figures;
  } finally {
    await floor.stop();
  }
}
