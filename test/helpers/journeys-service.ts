import type { ExecutionContext } from 'ava';
import type { AppConfig } from '../../src/config/config-types.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startService } from '../../src/main.js';
import { checkedFetch } from './openapi-check.js';
import { tempDir } from './temp-dir.js';

export const TEST_KEY = 'pk_test_demo';
export const LIVE_KEY = 'pk_live_demo';
export const DAY = 86_400_000;
const ADMIN = { Authorization: 'Bearer demo-admin-token' };

/** A clock the test moves; the service reads it for every `now`. */
export class TestClock {
  private t: number;
  constructor(start: Date | string = '2026-11-20T12:00:00.000Z') {
    this.t = new Date(start).getTime();
  }
  now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
  /** ISO time `days` before now (negative: after). */
  ago(days: number): string {
    return new Date(this.t - days * DAY).toISOString();
  }
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies freely.
  body: any;
}

export interface JourneysTestService {
  url: string;
  /** OFFERD_DATA_DIR (lowdb's files, its shard key among them). */
  dataDir: string;
  clock: TestClock;
  /** Calls /v1/user-journeys + `path` with `key` as X-API-Key (null: no header). */
  api(method: string, path: string, options?: { key?: string | null; body?: unknown }): Promise<JsonResponse>;
  /** POST /admin/apps/demo/journeys/generate. */
  generate(environment?: 'live' | 'test'): Promise<JsonResponse>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

async function asJson(res: Response): Promise<JsonResponse> {
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/**
 * The real service on 127.0.0.1 with the shipped config (the generation schedule off,
 * so only the test runs the job), a movable clock, and the memory store unless told.
 */
export async function startJourneysService(
  t: ExecutionContext,
  options: {
    store?: 'memory' | 'lowdb';
    rulesDir?: string;
    apps?: (apps: AppConfig[]) => AppConfig[];
    clock?: TestClock;
  } = {},
): Promise<JourneysTestService> {
  const env: Record<string, string> = {
    OFFERD_STORE: options.store ?? 'memory',
    OFFERD_DATA_DIR: await tempDir(t, 'offerd-journeys-'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    // A test's own rules dir is edited for its purpose, which the shipped fixtures do not
    // expect: the fixtures gate is off there (test/rules/fixtures-gate.test.ts tests it).
    ...(options.rulesDir ? { OFFERD_RULES_DIR: options.rulesDir, OFFERD_FIXTURES_GATE: '0' } : {}),
  };
  const base = loadConfig(env);
  const unscheduled = base.apps.map((a) => ({ ...a, journeys: { schedule: null } }));
  const config = loadConfig(env, { apps: options.apps ? options.apps(unscheduled) : unscheduled });
  const clock = options.clock ?? new TestClock();
  const service = await startService(config, { watch: false, now: clock.now });
  t.teardown(() => service.stop());
  const url = `http://127.0.0.1:${service.port}`;
  const fetchIt = (path: string, init?: RequestInit) => checkedFetch(`${url}${path}`, init);
  return {
    url,
    dataDir: env.OFFERD_DATA_DIR as string,
    clock,
    fetch: fetchIt,
    api: async (method, path, { key = TEST_KEY, body } = {}) => {
      const headers: Record<string, string> = {};
      if (key !== null) headers['X-API-Key'] = key;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const init: RequestInit = {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      };
      return asJson(await fetchIt(`/v1/user-journeys${path}`, init));
    },
    generate: async (environment) =>
      asJson(
        await fetchIt(
          `/admin/apps/demo/journeys/generate${environment ? `?environment=${environment}` : ''}`,
          {
            method: 'POST',
            headers: ADMIN,
          },
        ),
      ),
  };
}

/** `n` game plays `daysAgo` days before now (spread over the minutes before it). */
export function plays(externalId: string, n: number, clock: TestClock, daysAgo = 0) {
  return Array.from({ length: n }, (_, i) => ({
    externalId,
    eventType: 'spin',
    category: 'GAME_PLAY',
    points: 10,
    occurredAt: new Date(clock.now().getTime() - daysAgo * DAY - (i + 1) * 60_000).toISOString(),
  }));
}
