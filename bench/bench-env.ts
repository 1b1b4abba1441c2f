/**
 * The benchmark's temporary world: a copy of the demo config whose wall 1001 serves
 * the demo catalog scaled to 1,000 offers, with secrets of its own and http.publicUrl
 * (the service runs as NODE_ENV=production, which refuses the demo's), the demo rules
 * scaled ×10, and an empty data directory for the embedded store.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { hashApiKey } from '../src/config/api-key.js';
import type { CatalogOffer, OfferPage } from '../src/offerwall/domain/offer.js';
import { type ScaledRules, scaleRules } from './scale-rules.js';

export const WALL = 1001;
export const APP = 'demo';
/** The benchmark service's admin token (production refuses the demo one). */
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789';
/** The benchmark's API keys, by the demo key id they replace (production refuses the demo keys). */
export const BENCH_KEYS = {
  'demo-banner': 'bench-banner-key-0123456789',
  'demo-journeys-live': 'bench-journeys-live-0123456789',
  'demo-journeys-test': 'bench-journeys-test-0123456789',
} as const;

export interface BenchEnv {
  root: string;
  configFile: string;
  rulesDir: string;
  dataDir: string;
  offers: CatalogOffer[];
  rules: ScaledRules;
  /** Offers every benchmark user can get (DE, android, allowed types): one marks each rules version. */
  markerOffers: number[];
}

/** The demo catalog repeated to `count` offers, each copy with a new id (and the id in its texts). */
export function scaleCatalog(offers: readonly CatalogOffer[], count: number): CatalogOffer[] {
  return Array.from({ length: count }, (_, i) => {
    const base = offers[i % offers.length] as CatalogOffer;
    const id = 30_001 + i;
    const text = JSON.stringify(base).replaceAll(String(base.offer_id), String(id));
    return { ...(JSON.parse(text) as CatalogOffer), offer_id: id };
  });
}

/** Offers the load's users (German IP, android) always see unless a rule or completion hides them. */
function markerCandidates(offers: readonly CatalogOffer[]): number[] {
  return offers
    .filter(
      (o) =>
        (o.countries.length === 0 || o.countries.includes('DE')) &&
        (o.platform === null || o.platform === 'android') &&
        o.cap_remaining !== 0 &&
        [2, 3, 4, 5, 6, 7, 8].includes(o.offer_type),
    )
    .map((o) => o.offer_id);
}

/** The benchmark's config: the demo one, made one that NODE_ENV=production accepts. */
export async function writeConfig(root: string, catalogFile: string): Promise<string> {
  const config = parse(await readFile('config/offerd.yaml', 'utf8')) as {
    admin?: { token?: string };
    http?: { publicUrl?: string };
    apps: {
      id: string;
      keys: { id: string; hash: string }[];
      journeys?: { schedule?: string };
      offerwall?: { clickSecret: string; postbackSecret: string };
      walls: { id: number; catalog?: string }[];
    }[];
  };
  config.admin = { ...config.admin, token: BENCH_ADMIN_TOKEN };
  config.http = { ...config.http, publicUrl: 'https://offers.bench.example' };
  for (const app of config.apps) {
    for (const key of app.keys) {
      const own = BENCH_KEYS[key.id as keyof typeof BENCH_KEYS];
      if (own) key.hash = hashApiKey(own);
    }
    // A generation run in the middle of a load would measure the job, not the APIs.
    app.journeys = { ...app.journeys, schedule: 'off' };
    if (app.offerwall) {
      app.offerwall = {
        clickSecret: `bench-click-${app.id}-0123456789`,
        postbackSecret: `bench-postback-${app.id}-0123456789`,
      };
    }
    for (const wall of app.walls) if (wall.id === WALL) wall.catalog = catalogFile;
  }
  const file = path.join(root, 'offerd.yaml');
  await writeFile(file, stringify(config));
  return file;
}

/** Writes the world into `workdir` (kept, for reuse while iterating) or a new temp directory. */
export async function createBenchEnv(
  offerCount: number,
  rulesFactor: number,
  workdir?: string,
): Promise<BenchEnv> {
  const root = workdir ?? (await mkdtemp(path.join(os.tmpdir(), 'offerd-bench-')));
  await mkdir(root, { recursive: true });
  const page = JSON.parse(await readFile('config/catalogs/demo-1001.json', 'utf8')) as OfferPage;
  const offers = scaleCatalog(page.offers, offerCount);
  const catalogFile = path.join(root, `catalog-${WALL}.json`);
  await writeFile(
    catalogFile,
    JSON.stringify({ ...page, total: offers.length, limit: offers.length, offers }),
  );
  const markerOffers = markerCandidates(offers).slice(0, 40);
  if (markerOffers.length < 40) throw new Error('the scaled catalog has too few marker offers');
  const dataDir = path.join(root, 'data');
  await mkdir(dataDir, { recursive: true });
  const rulesDir = path.join(root, 'rules');
  const rules = await scaleRules('rules', rulesDir, rulesFactor, markerOffers[0] as number);
  return {
    root,
    configFile: await writeConfig(root, catalogFile),
    rulesDir,
    dataDir,
    offers,
    rules,
    markerOffers,
  };
}
