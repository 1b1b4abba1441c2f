/**
 * CPU µs per offerwall body (PersonalizedJson.render) of 20 and 100 offers: what click
 * link signing costs a response. The source tree is an argument, so two versions run
 * in turn on the same host, e.g. HEAD's checked out into a scratch directory:
 *
 *   git archive HEAD src | tar -x -C /tmp/before && ln -s "$PWD/node_modules" /tmp/before/
 *   npx tsx bench/click-signing.ts /tmp/before/src && npx tsx bench/click-signing.ts src
 *
 * Renders only (no HTTP): ranking is done once, outside the timed loop.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Decide from '../src/offerwall/domain/decide.js';
import type { OfferPage } from '../src/offerwall/domain/offer.js';
import type * as Ranking from '../src/offerwall/domain/ranking.js';
import type * as Json from '../src/offerwall/personalized-json.js';

const src = path.resolve(process.argv[2] ?? 'src');
const load = <T>(file: string): Promise<T> => import(pathToFileURL(path.join(src, file)).href) as Promise<T>;
const { rankOffers } = await load<typeof Decide>('offerwall/domain/decide.ts');
const { DEFAULT_RANKING } = await load<typeof Ranking>('offerwall/domain/ranking.ts');
const { PersonalizedJson } = await load<typeof Json>('offerwall/personalized-json.ts');

const page = JSON.parse(readFileSync('config/catalogs/demo-1001.json', 'utf8')) as OfferPage;
// Every demo offer, whatever its targeting: 100 need more than one country has.
const offers = page.offers.map((o) => ({ ...o, countries: [], platform: null }));
const WALL = {
  appId: 'demo',
  wallId: 1001,
  publisherId: 1,
  secrets: { clickSecret: 'demo-click-secret-change-me', postbackSecret: 'p' },
};

function ranking(limit: number) {
  return rankOffers({
    offers,
    targeting: { country: 'DE', device: null, osVersion: null, bidFloor: null },
    progress: new Map(),
    effects: [],
    model: DEFAULT_RANKING,
    completedOffers: 'show',
    affinity: {},
    now: new Date('2026-12-01T00:00:00Z'),
    limit,
  });
}

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const json = new PersonalizedJson();
const results: string[] = [];
for (const size of [20, 100]) {
  const r = ranking(size);
  if (r.offers.length !== size)
    throw new Error(`the demo catalog ranks ${r.offers.length} offers, not ${size}`);
  const iterations = Math.round(100_000 / size);
  const perResponse: number[] = [];
  let bytes = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < iterations; i++) {
      // A different user each time, as in service (the uid is in every link).
      bytes = json.render(r, {
        wall: WALL,
        uid: `u-${i}`,
        sid3: 'sess-1',
        baseUrl: 'https://offers.example.com',
        exp: 1_767_225_600,
        includeSortmetric: false,
        supportId: i,
        experimentId: null,
        bidFloor: null,
      }).length;
    }
    const used = process.cpuUsage(start);
    perResponse.push((used.user + used.system) / iterations);
  }
  // The first round warms the JIT up; the median of the rest.
  const sorted = perResponse.slice(1).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  const range = `${sorted[0]?.toFixed(1)}–${sorted.at(-1)?.toFixed(1)}`;
  results.push(`${size} offers: ${median.toFixed(1)} µs CPU per response (rounds ${range}), ${bytes} bytes`);
}
console.log(`${path.relative(process.cwd(), src) || src}\n  ${results.join('\n  ')}`);
