import { setTimeout as sleep } from 'node:timers/promises';

export type ApiName = 'banner' | 'offerwall' | 'journeys';

const JOURNEYS_KEY = { 'X-API-Key': 'pk_test_demo', 'Content-Type': 'application/json' };
const USERS = ['u-1', 'u-2', 'u-3', 'u-4'];

/** One request to each API as its clients make it; the suite and the traffic share these. */
export const API_CALLS: Record<ApiName, (url: string, user: string) => Promise<Response>> = {
  banner: (url, user) =>
    fetch(`${url}/getPersonalizedBanner`, {
      method: 'POST',
      headers: { Authorization: 'demo-key', 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: user, offerId: '1' }),
    }),
  offerwall: (url, user) =>
    fetch(`${url}/api/v1/users/${user}/personalized?wall=1001&numoffers=5&ip=5.9.0.1`),
  journeys: (url, user) => fetch(`${url}/v1/user-journeys/users/${user}/offers`, { headers: JOURNEYS_KEY }),
};

/** The journeys API knows only users it was told about. */
export async function createJourneysUsers(url: string): Promise<void> {
  for (const externalId of USERS) {
    const res = await fetch(`${url}/v1/user-journeys/users`, {
      method: 'POST',
      headers: JOURNEYS_KEY,
      body: JSON.stringify({ externalId }),
    });
    if (!res.ok) throw new Error(`creating journeys user ${externalId}: ${res.status} ${await res.text()}`);
  }
}

export interface TrafficFigures {
  requests: Record<ApiName, number>;
  failed: Record<ApiName, number>;
  /** The first few failures, for the report. */
  failures: string[];
  /** Every rules hash an API response named (X-Rules-Version), with how often. */
  hashesSeen: Map<string, number>;
  /** /readyz answers that were not 200, and for how long, after the first ready. */
  notReadySamples: number;
  notReadyMs: number;
  readyChecks: number;
}

/**
 * Continuous calls to every API and to /readyz until stopped. Any answer but a 2xx, and
 * any network error, is a failed request.
 */
export class Traffic {
  readonly figures: TrafficFigures = {
    requests: { banner: 0, offerwall: 0, journeys: 0 },
    failed: { banner: 0, offerwall: 0, journeys: 0 },
    failures: [],
    hashesSeen: new Map(),
    notReadySamples: 0,
    notReadyMs: 0,
    readyChecks: 0,
  };
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly url: string,
    private readonly pauseMs = 15,
  ) {}

  start(): void {
    for (const api of Object.keys(API_CALLS) as ApiName[]) this.loops.push(this.callLoop(api));
    this.loops.push(this.readyLoop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private failure(api: ApiName, what: string): void {
    this.figures.failed[api]++;
    if (this.figures.failures.length < 10) this.figures.failures.push(`${api}: ${what}`);
  }

  private async callLoop(api: ApiName): Promise<void> {
    let i = 0;
    while (this.running) {
      const user = USERS[i++ % USERS.length] ?? 'u-1';
      this.figures.requests[api]++;
      try {
        const res = await API_CALLS[api](this.url, user);
        const body = await res.text();
        if (res.status < 200 || res.status > 299) this.failure(api, `${res.status} ${body.slice(0, 200)}`);
        const hash = /;hash=(\w+)$/.exec(res.headers.get('x-rules-version') ?? '')?.[1];
        if (hash) this.figures.hashesSeen.set(hash, (this.figures.hashesSeen.get(hash) ?? 0) + 1);
      } catch (err) {
        this.failure(api, `network error: ${(err as Error).message}`);
      }
      await sleep(this.pauseMs);
    }
  }

  private async readyLoop(): Promise<void> {
    let last = performance.now();
    while (this.running) {
      let ready = false;
      try {
        ready = (await fetch(`${this.url}/readyz`)).status === 200;
      } catch {
        ready = false;
      }
      const now = performance.now();
      this.figures.readyChecks++;
      if (!ready) {
        this.figures.notReadySamples++;
        this.figures.notReadyMs += now - last;
      }
      last = now;
      await sleep(50);
    }
  }
}
