import { withLate } from '../domain/enrolled-after-end.js';
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
  // Users assigned after the version's end are counted apart, in no figure (VariationTally).
  const late = users.reduce((n: number, r: Row) => n + (r.late as number), 0);
  const tallies = tallyRows(
    users.filter((r: Row) => (r.n as number) > 0),
    storedExposures,
    conversions,
    revenue,
    pending,
  );
  return late > 0 ? withLate(tallies, late) : tallies;
}

/** variationTallies for the users' rows up to the version's end. */
function tallyRows(
  ...[users, storedExposures, conversions, revenue, pending]: Parameters<typeof variationTallies>
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
        exposures: (exposures.get(variationId) ?? 0) + (pending.get(variationId) ?? 0),
        conversions: conversions
          .filter((r: Row) => r.variation_id === variationId)
          .map((r: Row) => ({ event: r.name as string, users: r.n as number })),
        ...(revenue ? { revenue: revenue.get(variationId) ?? { sum: 0, sumSquares: 0 } } : {}),
      };
    });
}
