import test from 'ava';
import type { Experiment, HashVersion } from '../../../src/banner/domain/banner-types.js';
import { bucketUser, variationForBucket } from '../../../src/banner/domain/bucketing.js';
import { chiSquareGoodnessOfFit } from '../../../src/banner/domain/statistics.js';

/**
 * Issue 19, item 2: over the few hundred users of a small test, sequential ids must
 * split by the weights as often as chance says. For many experiments × weight sets ×
 * id styles × sizes, the chi-square of the split against the weights gives one p-value
 * per run; under a well-mixed hash they are uniform, so the share below 0.001 is ~0.1 %
 * and the share below 0.05 is ~5 %.
 */

const WEIGHTS = [
  [50, 50],
  [50, 25, 25],
  [20, 80],
  [10, 90],
  [34, 33, 33],
  [25, 25, 25, 25],
];
const ID_STYLES: ((i: number) => string)[] = [
  (i) => `user-${i}`, // prefixed
  (i) => String(i), // numeric
  (i) => String(1_000_000 + i), // numeric, fixed width
  (i) => `u${String(i).padStart(6, '0')}`, // zero-padded
  (i) => `acct:${i}@example.com`, // suffix after the counter
];
const SIZES = [100, 240, 1_000, 10_000];
const EXPERIMENTS_PER_SIZE = (n: number) => (n >= 10_000 ? 1 : 10);

type Assign = (experimentId: string, weights: readonly number[], userId: string) => number | null;

const viaHashVersion =
  (hashVersion: HashVersion): Assign =>
  (experimentId, weights, userId) => {
    const experiment: Experiment = {
      id: experimentId,
      description: '',
      status: 'running',
      bucketVersion: 1,
      hashVersion,
      controlBanner: false,
      trafficAllocation: 100,
      occasion: null,
      hasEligibility: false,
      variations: weights.map((weight, id) => ({ id, name: `v${id}`, weight })),
      metrics: { primary: null, secondary: [] },
    };
    return bucketUser(experiment, userId).variationId;
  };

/** FNV-1a, 32 bit (Fowler/Noll/Vo): the negative control's hash, not used by offerd. */
function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** GrowthBook's hashing version 1, fnv32a(id + seed) % 1000: the construction it retired for sequential-id bias. */
const growthBookV1: Assign = (experimentId, weights, userId) => {
  const bucket = ((fnv32a(userId + experimentId) % 1000) / 1000) * 10_000;
  return variationForBucket(
    weights.map((weight, id) => ({ id, name: `v${id}`, weight })),
    Math.floor(bucket),
  );
};

interface Survey {
  runs: number;
  below001: number;
  below05: number;
}

function survey(assign: Assign): Survey {
  const result = { runs: 0, below001: 0, below05: 0 };
  for (const n of SIZES) {
    for (let e = 0; e < EXPERIMENTS_PER_SIZE(n); e++) {
      for (const weights of WEIGHTS) {
        const total = weights.reduce((s, w) => s + w, 0);
        for (const [style, id] of ID_STYLES.entries()) {
          const counts = weights.map(() => 0);
          for (let i = 1; i <= n; i++) {
            const v = assign(`exp-${n}-${e}-${style}`, weights, id(i));
            if (v !== null) counts[v] = (counts[v] ?? 0) + 1;
          }
          const p =
            chiSquareGoodnessOfFit(
              counts,
              weights.map((w) => w / total),
            )?.pValue ?? 1;
          result.runs += 1;
          if (p < 0.001) result.below001 += 1;
          if (p < 0.05) result.below05 += 1;
        }
      }
    }
  }
  return result;
}

/**
 * Whether the shares are what chance gives: below-0.001 runs at most 5 (for 930 runs,
 * P(X ≥ 6) = 0.0006 under Binomial(930, 0.001)), and below-0.05 within Binomial(930,
 * 0.05) ± 4 standard deviations, i.e. between 20 and 73.
 */
function matchesChance(s: Survey): boolean {
  const sd05 = Math.sqrt(s.runs * 0.05 * 0.95);
  return s.below001 <= 5 && Math.abs(s.below05 - s.runs * 0.05) <= 4 * sd05;
}

const describe = (s: Survey) =>
  `${s.below001}/${s.runs} runs at p < 0.001 (chance ${(s.runs * 0.001).toFixed(1)}), ` +
  `${s.below05} at p < 0.05 (chance ${(s.runs * 0.05).toFixed(0)})`;

test('hash version 2 splits sequential, prefixed and numeric ids as chance does', (t) => {
  const s = survey(viaHashVersion(2));
  t.log(`v2: ${describe(s)}`);
  t.is(s.runs, 930);
  t.true(matchesChance(s), describe(s));
});

test('the check has teeth: it rejects a hash known to be biased on sequential ids (GrowthBook v1)', (t) => {
  const s = survey(growthBookV1);
  t.log(`GrowthBook v1 (fnv32a): ${describe(s)}`);
  t.false(matchesChance(s), describe(s));
});

test('hash version 1 (murmur3, kept for existing experiments), measured by the same survey', (t) => {
  // Measured, not assumed: murmur3 mixes well too, and this run shows it. The bias
  // reported in issue 19 (148/37/55) could not be reproduced for any id style tried;
  // version 2 is the default for its independent, documented derivation, not because
  // version 1 fails here.
  const s = survey(viaHashVersion(1));
  t.log(`v1: ${describe(s)}`);
  t.true(matchesChance(s), describe(s));
});
