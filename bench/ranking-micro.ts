/**
 * The offerwall ranking alone: the demo catalog scaled to 1,000 offers, ranked for
 * 20,000 requests (users with progress and completions, three targetings, the demo
 * rules' effects) per round, µs per ranking. With a second source tree (e.g. a
 * `git archive` of an older commit's `src`), rounds alternate between the two in one
 * process, since the machine is noisy:
 *
 *   git archive <commit> src | tar -x -C .ab/before   # (mkdir -p first; not committed)
 *   npx tsx bench/ranking-micro.ts [rounds] [other-src-dir…]   # e.g. .ab/before/src
 *
 * Keep the other trees inside the project: the same code under /tmp measured ~20 µs per
 * ranking slower than under src/ (probably compiled by tsx without the project's tsconfig).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CatalogIndex } from '../src/offerwall/domain/catalog-index.js';
import type { RankingInput, rankOffers } from '../src/offerwall/domain/decide.js';
import type { Targeting } from '../src/offerwall/domain/eligibility.js';
import type { CatalogOffer, OfferPage } from '../src/offerwall/domain/offer.js';
import type { OfferProgress } from '../src/offerwall/domain/progress.js';
import { type EffectSpec, type RuleEffect, ruleEffect } from '../src/offerwall/domain/rule-effects.js';
import { progressRecord } from '../test/helpers/random-ranking.js';
import { scaleCatalog } from './bench-env.js';

const REQUESTS = 20_000;
const OFFERS = 1_000;

interface Variant {
  name: string;
  rank: typeof rankOffers;
  index: CatalogIndex;
}

async function variant(name: string, src: string, offers: CatalogOffer[]): Promise<Variant> {
  const dir = path.resolve(src, 'offerwall/domain');
  const decide = (await import(path.join(dir, 'decide.ts'))) as { rankOffers: typeof rankOffers };
  const catalog = (await import(path.join(dir, 'catalog-index.ts'))) as {
    CatalogIndex: new (o: readonly CatalogOffer[]) => CatalogIndex;
  };
  return { name, rank: decide.rankOffers, index: new catalog.CatalogIndex(offers) };
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** The demo offerwall rules' effects, as the rules run hands them out (frozen lists). */
const RULE_SETS: readonly (readonly RuleEffect[])[] = (
  [
    [
      { ruleId: 'no-gambling-in-dach', exclude: { offerTypes: [1, 11] } },
      { ruleId: 'wall-1001-allow-list', allowOnly: { offerTypes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } },
      { ruleId: 'newcomers-start-easy', boost: { offerTypes: [3, 6], by: 0.15 } },
      { ruleId: 'mobile-apps-on-phones', boost: { offerTypes: [8], by: 0.05 } },
    ],
    [
      { ruleId: 'no-mature-in-us', exclude: { offerTypes: [9, 10] } },
      { ruleId: 'wall-1001-allow-list', allowOnly: { offerTypes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } },
      { ruleId: 'gamers-get-games', boost: { categories: ['Games'], by: 0.2 } },
      { ruleId: 'mobile-apps-on-phones', boost: { offerTypes: [8], by: 0.05 } },
    ],
    [{ ruleId: 'wall-1001-allow-list', allowOnly: { offerTypes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } }],
  ] as EffectSpec[][]
).map((s) => Object.freeze(s.map(ruleEffect)));

/** The demo offerwall's ranking model. */
const MODEL = {
  weights: { epc: 0.3, conversionRate: 0.2, userReward: 0.15, payout: 0.1, freshness: 0.1, affinity: 0.15 },
  freshnessHalfLifeDays: 45,
};

const TARGETINGS: Targeting[] = [
  { country: 'DE', device: 'android', osVersion: null, bidFloor: null },
  { country: 'US', device: 'ios', osVersion: '16.1', bidFloor: null },
  { country: 'FR', device: 'desktop', osVersion: null, bidFloor: null },
];

function progressOf(rand: () => number, offers: CatalogOffer[]): Map<number, OfferProgress> {
  const progress = new Map<number, OfferProgress>();
  const count = Math.floor(rand() * 12);
  for (let k = 0; k < count; k++) {
    const o = offers[Math.floor(rand() * offers.length)] as CatalogOffer;
    progress.set(o.offer_id, progressRecord(o, rand() < 0.5 ? 'completed' : 'in_progress'));
  }
  return progress;
}

/** 500 users' requests, cycled; the clock moves 1 ms every 4 requests (freshness memo). */
function requests(offers: CatalogOffer[]): Omit<RankingInput, 'index'>[] {
  const rand = prng(7);
  const start = Date.parse('2026-11-20T12:00:00Z');
  return Array.from(
    { length: 500 },
    (_, u): Omit<RankingInput, 'index'> => ({
      offers,
      targeting: TARGETINGS[u % 3] as Targeting,
      progress: progressOf(rand, offers),
      effects: RULE_SETS[u % 3] as readonly RuleEffect[],
      model: MODEL,
      completedOffers: u % 5 === 0 ? 'show' : 'hide',
      affinity: u % 2 === 0 ? {} : { Games: Math.round(rand() * 100) / 100, Surveys: 0.5 },
      now: new Date(start + Math.floor(u / 4)),
      limit: 20,
      listDropped: false,
    }),
  );
}

/**
 * CPU µs per ranking over REQUESTS requests (the process's CPU time: other processes on a
 * shared machine inflate wall time far more); reads what the server reads of each offer.
 */
function round(v: Variant, inputs: Omit<RankingInput, 'index'>[]): number {
  let sink = 0;
  const t0 = process.cpuUsage();
  for (let k = 0; k < REQUESTS; k++) {
    const input = inputs[k % inputs.length] as Omit<RankingInput, 'index'>;
    const r = v.rank({ ...input, index: v.index });
    for (const o of r.offers) sink += o.score + o.metric;
  }
  const cpu = process.cpuUsage(t0);
  const us = (cpu.user + cpu.system) / REQUESTS;
  if (Number.isNaN(sink)) throw new Error('NaN score');
  return us;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 5);
  const others = process.argv.slice(3);
  const page = JSON.parse(await readFile('config/catalogs/demo-1001.json', 'utf8')) as OfferPage;
  const offers = scaleCatalog(page.offers, OFFERS);
  const variants: Variant[] = [];
  for (const other of others) variants.push(await variant(other, other, offers));
  variants.push(await variant('this tree', 'src', offers));
  const inputs = requests(offers);
  for (const v of variants) round(v, inputs); // warm-up
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let k = 0; k < rounds; k++) {
    // Each variant takes each place in turn: a fixed order slowed whichever ran in the middle.
    const order = variants.map((_, m) => variants[(k + m) % variants.length] as Variant);
    for (const v of order) {
      const us = round(v, inputs);
      times.get(v.name)?.push(us);
      console.log(`round ${k + 1} ${v.name}: ${us.toFixed(2)} CPU µs/ranking`);
    }
  }
  for (const [name, ts] of times) {
    console.log(
      `${name}: median ${median(ts).toFixed(2)} µs/ranking (${ts.map((t) => t.toFixed(2)).join(' ')})`,
    );
  }
}

await main();
