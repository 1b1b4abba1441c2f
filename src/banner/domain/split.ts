import type { Variation } from './banner-types.js';

/**
 * An experiment's split as stored with each assignment: `id:weight` pairs in declaration
 * order, e.g. `0:20,1:80`. The weights a user was bucketed by, kept so that a later
 * change of the weights does not make their assignment look wrong (docs/experiments.md).
 */
export function splitOf(variations: readonly Pick<Variation, 'id' | 'weight'>[]): string {
  return variations.map((v) => `${v.id}:${v.weight}`).join(',');
}

/** Each variation's share of a stored split (weight / sum of weights); null for a malformed one. */
export function sharesOf(split: string): Map<number, number> | null {
  const pairs = split.split(',').map((p) => p.split(':').map(Number));
  if (pairs.some((p) => p.length !== 2 || !p.every(Number.isFinite))) return null;
  const total = pairs.reduce((s, [, w]) => s + (w as number), 0);
  if (!(total > 0)) return null;
  return new Map(pairs.map(([id, w]) => [id as number, (w as number) / total]));
}

/**
 * Users by the split they were assigned under, splits with the same shares merged (20/80
 * and 1/4 are one split) and in first-seen order; a group without a recorded split counts
 * under `current` (the experiment's split now, as the sample-ratio check reads it).
 */
export function usersPerSplit(
  groups: readonly { weights: string | null; users: number }[],
  current: string,
): { weights: string; users: number }[] {
  const merged = new Map<string, { weights: string; users: number }>();
  for (const g of groups) {
    const weights = g.weights ?? current;
    const shares = sharesOf(weights);
    const key = shares
      ? [...shares]
          .filter(([, share]) => share > 0)
          .sort(([a], [b]) => a - b)
          .map(([id, share]) => `${id}:${share.toFixed(12)}`)
          .join(',')
      : weights;
    const found = merged.get(key) ?? { weights, users: 0 };
    found.users += g.users;
    merged.set(key, found);
  }
  return [...merged.values()].filter((s) => s.users > 0);
}
