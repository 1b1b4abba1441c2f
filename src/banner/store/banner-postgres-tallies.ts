import type { VariationTally } from '../domain/experiment-results.js';

type Row = Record<string, unknown>;

const iso = (v: unknown): string => (v as Date).toISOString();

/**
 * Each variation's tally from the results queries' rows (BannerPostgresStore.tallies): users
 * per split, exposures (stored plus this instance's not yet flushed), conversions by event name
 * and revenue sums when asked for.
 */
export function variationTallies(
  users: readonly Row[],
  exposures: readonly Row[],
  conversions: readonly Row[],
  revenue: Map<number, { sum: number; sumSquares: number }> | null,
  pending: Map<number, number>,
): VariationTally[] {
  const ids = new Set<number>([
    ...[...users, ...exposures].map((r: Row) => r.variation_id as number),
    ...pending.keys(),
  ]);
  return [...ids]
    .sort((a, b) => a - b)
    .map((variationId) => {
      // One row per split the variation's users were assigned under (weights; null: not recorded).
      const splits = users.filter((r: Row) => r.variation_id === variationId);
      const firsts = splits.map((r: Row) => iso(r.first)).sort();
      return {
        variationId,
        users: splits.reduce((n: number, r: Row) => n + (r.n as number), 0),
        firstAssignedAt: firsts[0] ?? null,
        usersBySplit: splits.map((r: Row) => ({
          weights: r.weights as string | null,
          users: r.n as number,
        })),
        exposures:
          Number(exposures.find((r: Row) => r.variation_id === variationId)?.exposures ?? 0) +
          (pending.get(variationId) ?? 0),
        conversions: conversions
          .filter((r: Row) => r.variation_id === variationId)
          .map((r: Row) => ({ event: r.name as string, users: r.n as number })),
        ...(revenue ? { revenue: revenue.get(variationId) ?? { sum: 0, sumSquares: 0 } } : {}),
      };
    });
}
