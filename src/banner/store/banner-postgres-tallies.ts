import type { VariationTally } from '../domain/experiment-results.js';

type Row = Record<string, unknown>;

const iso = (v: unknown): string => (v as Date).toISOString();

/**
 * Each variation's tally from the results queries' rows (BannerPostgresStore.tallies): users
 * per split, exposures (stored as [variation, count] pairs, plus this instance's that the
 * exposures statement did not see), conversions by event name and revenue sums when asked for.
 */
export function variationTallies(
  users: readonly Row[],
  storedExposures: readonly [number, number][] | null,
  conversions: readonly Row[],
  revenue: Map<number, { sum: number; sumSquares: number }> | null,
  pending: Map<number, number>,
): VariationTally[] {
  const exposures = new Map((storedExposures ?? []).map(([variation, n]) => [variation, Number(n)]));
  const ids = new Set<number>([
    ...users.map((r: Row) => r.variation_id as number),
    ...exposures.keys(),
    ...pending.keys(),
  ]);
  return [...ids]
    .sort((a, b) => a - b)
    .map((variationId) => {
      // One row per split the variation's users were assigned under (weights; null: not
      // recorded), each counting apart its users assigned after the version's end (`late`).
      const rows = users.filter((r: Row) => r.variation_id === variationId);
      const splits = rows.filter((r: Row) => (r.n as number) > 0);
      const late = rows.reduce((n: number, r: Row) => n + (r.late as number), 0);
      const firsts = splits.map((r: Row) => iso(r.first)).sort();
      return {
        variationId,
        users: splits.reduce((n: number, r: Row) => n + (r.n as number), 0),
        firstAssignedAt: firsts[0] ?? null,
        usersBySplit: splits.map((r: Row) => ({
          weights: r.weights as string | null,
          users: r.n as number,
        })),
        exposures: (exposures.get(variationId) ?? 0) + (pending.get(variationId) ?? 0),
        conversions: conversions
          .filter((r: Row) => r.variation_id === variationId)
          .map((r: Row) => ({ event: r.name as string, users: r.n as number })),
        ...(revenue ? { revenue: revenue.get(variationId) ?? { sum: 0, sumSquares: 0 } } : {}),
        ...(late > 0 ? { enrolledAfterEnd: late } : {}),
      };
    });
}
