import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import type { OfferdConfig } from '../../src/config/config-types.js';
import { loadConfig } from '../../src/config/load-config.js';
import { type RunningService, startService } from '../../src/main.js';
import type { CatalogOffer } from '../../src/offerwall/domain/offer.js';
import { signPostback } from '../../src/offerwall/domain/signatures.js';
import { checkedFetch } from './openapi-check.js';
import { tempDir as sharedTempDir } from './temp-dir.js';

export const DEMO_CONFIG = path.resolve('config/offerd.yaml');
export const DEMO_CATALOG = path.resolve('config/catalogs/demo-1001.json');
export const POSTBACK_SECRET = 'demo-postback-secret-change-me';
export const ADMIN = { Authorization: 'Bearer demo-admin-token' };

export interface OfferwallHarness {
  base: string;
  service: RunningService;
  get(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  json<T = Record<string, unknown>>(
    pathAndQuery: string,
    init?: RequestInit,
  ): Promise<{ res: Response; body: T }>;
}

export interface HarnessOptions {
  /** A config file to use instead of the demo one. */
  configPath?: string;
  rulesDir?: string;
  /** A lowdb data dir; memory when absent. */
  dataDir?: string;
  overrides?: Partial<OfferdConfig>;
  /** The service's clock (link expiry, click times); the real one when absent. */
  now?: () => Date;
}

/** Starts the real service on 127.0.0.1 (random port) and stops it when the test ends. */
export async function startOfferwall(
  t: ExecutionContext,
  options: HarnessOptions = {},
): Promise<OfferwallHarness> {
  const config = loadConfig(
    {
      OFFERD_CONFIG: options.configPath ?? DEMO_CONFIG,
      OFFERD_RULES_DIR: options.rulesDir ?? path.resolve('rules'),
      // A test's own rules dir is edited for its purpose, which the shipped fixtures do not expect.
      OFFERD_FIXTURES_GATE: options.rulesDir ? '0' : '1',
      OFFERD_STORE: options.dataDir ? 'lowdb' : 'memory',
      OFFERD_DATA_DIR: options.dataDir ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    },
    options.overrides,
  );
  const service = await startService(config, { watch: false, ...(options.now ? { now: options.now } : {}) });
  t.teardown(async () => {
    service.server.closeAllConnections();
    await service.stop();
  });
  const base = `http://127.0.0.1:${service.port}`;
  const get = (p: string, init?: RequestInit) => checkedFetch(`${base}${p}`, init);
  const json = async <T>(p: string, init?: RequestInit) => {
    const res = await get(p, init);
    const text = await res.text();
    return { res, body: (text ? JSON.parse(text) : null) as T };
  };
  return { base, service, get, json };
}

export const tempDir = (t: ExecutionContext, name: string): Promise<string> =>
  sharedTempDir(t, `offerd-${name}-`);

/** Writes a config for one app `demo` with wall 1001 (demo catalog) and, optionally, a feed. */
export async function writeOfferwallConfig(dir: string, wallExtra = ''): Promise<string> {
  const file = path.join(dir, 'offerd.yaml');
  await writeFile(
    file,
    `apps:
  - id: demo
    name: Demo
    status: active
    keys: []
    offerwall:
      clickSecret: test-click-secret-0123456789
      postbackSecret: ${POSTBACK_SECRET}
    walls:
      - id: 1001
        publisherId: 1
        catalog: ${DEMO_CATALOG}
${wallExtra}`,
  );
  return file;
}

export function demoCatalog(): CatalogOffer[] {
  return (JSON.parse(readFileSync(DEMO_CATALOG, 'utf8')) as { offers: CatalogOffer[] }).offers;
}

/** The query string of a correctly signed postback. */
export function signedPostback(p: {
  wall?: number;
  uid: string;
  offer: number;
  event: string;
  tx: string;
}): string {
  const wallId = p.wall ?? 1001;
  const sig = signPostback(POSTBACK_SECRET, {
    wallId,
    uid: p.uid,
    offerId: p.offer,
    eventId: p.event,
    transactionId: p.tx,
  });
  const q = new URLSearchParams({
    wall: String(wallId),
    uid: p.uid,
    offer: String(p.offer),
    event: p.event,
    transaction_id: p.tx,
    sig,
  });
  return q.toString();
}

export interface OfferJson {
  offer_id: number;
  offer_type: number;
  category: string;
  platform: string | null;
  countries: string[];
  total_user_reward: number;
  events: { event_id: string }[];
  click_url: string;
  eligible: boolean;
  in_progress: boolean;
  user_completed: boolean;
  user_status: string | null;
  score: number;
  hot_offers_order: number;
  sortmetric?: number;
  conversion_rate?: number;
}

export interface PersonalizedJson {
  status: string;
  publisher_id: number;
  wall_id: number;
  support_id: number;
  total: number;
  offset: number;
  limit: number;
  experiment_id: string | null;
  bid_floor: number | null;
  offers: OfferJson[];
  error?: { code: string; message: string; fields?: { field: string; message: string }[] };
}
