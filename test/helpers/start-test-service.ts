import type { ExecutionContext } from 'ava';
import type { OfferdConfig } from '../../src/config/config-types.js';
import { loadConfig } from '../../src/config/load-config.js';
import { DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts } from '../../src/http/http-server.js';
import { type RunningService, startService } from '../../src/main.js';
import { checkedFetch } from './openapi-check.js';
import { tempDir } from './temp-dir.js';

export interface TestService extends RunningService {
  url: string;
  config: OfferdConfig;
  /** fetch against this service; `path` starts with '/'. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export interface TestServiceOptions {
  /** Environment on top of the defaults below (OFFERD_CONFIG, OFFERD_RULES_DIR, ...). */
  env?: Record<string, string>;
  /** The file watcher is off unless a test needs it. */
  watch?: boolean;
  /** Other HTTP timeouts than the defaults (slow-client and keep-alive tests). */
  httpTimeouts?: Partial<HttpTimeouts>;
  /** Keep the config's journeys generation schedule (off unless asked: it fires on the clock). */
  journeysSchedule?: boolean;
}

/**
 * Starts the real service on 127.0.0.1 and an ephemeral port: the shipped config and
 * rules, a lowdb store in a fresh temp dir unless the test says otherwise. Stopped
 * when the test ends.
 */
export async function startTestService(
  t: ExecutionContext,
  options: TestServiceOptions = {},
): Promise<TestService> {
  const env = {
    OFFERD_DATA_DIR: await tempDir(t, 'offerd-data-'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    // A loaded shared host took over 2 s (the default) to open a PostgreSQL connection while
    // other suites ran: two-instance tests failed on a connect timeout, not on what they test.
    // Tests of the timeout itself set their own.
    OFFERD_PG_CONNECT_TIMEOUT_MS: '10000',
    // A test's own rules dir is edited for its purpose, which the shipped fixtures do not
    // expect: the fixtures gate is off there unless the test turns it on.
    ...(options.env?.OFFERD_RULES_DIR ? { OFFERD_FIXTURES_GATE: '0' } : {}),
    ...options.env,
  };
  // The shipped hourly journeys schedule off: a test running across hh:00 saw a generation it
  // did not start (CI at 00:00: one journeys decision more in the log than the test made).
  const loaded = loadConfig(env);
  const config = options.journeysSchedule
    ? loaded
    : { ...loaded, apps: loaded.apps.map((a) => ({ ...a, journeys: { ...a.journeys, schedule: null } })) };
  const service = await startService(config, {
    watch: options.watch ?? false,
    ...(options.httpTimeouts ? { httpTimeouts: { ...DEFAULT_HTTP_TIMEOUTS, ...options.httpTimeouts } } : {}),
  });
  t.teardown(() => service.stop());
  const url = `http://127.0.0.1:${service.port}`;
  return { ...service, url, config, fetch: (path, init) => checkedFetch(`${url}${path}`, init) };
}

export const ADMIN = { Authorization: 'Bearer demo-admin-token' };
