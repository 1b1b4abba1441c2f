import type { VariationTally } from '../domain/experiment-results.js';
import type { AssignmentRecord } from './banner-document-assignments.js';
import type { DailyEnrollment } from './banner-store.js';

interface Tally {
  users: number;
  first: string | null;
  conversions: Map<string, number>;
  revenue: { sum: number; sumSquares: number };
  /** Users by the split stored with their assignment ('' for none). */
  bySplit: Map<string, number>;
  /** Users assigned after the version's end: in no other figure. */
  late: number;
}

/** What tallies() reads: one experiment's assignments and its exposure counters. */
export interface TallySource {
  assignments: readonly AssignmentRecord[];
  /** The variations that have an exposure counter. */
  exposedVariations: readonly number[];
  exposures(variationId: number): number;
  /** The event whose values are summed as revenue (the primary metric's), if it has a value property. */
  valueEvent?: string;
  /** When the bucket version ended (ms; Infinity while it runs): later assignments are counted apart. */
  endMs: number;
}

/**
 * Per variation: assigned users, the earliest assignment, exposures, and per event name
 * the assigned users credited with one within their assignment's window (an entry in its
 * `values`, see AssignmentDocuments.credit); with a value event, the sum and sum of squares
 * of each assigned user's value total (exact).
 */
export function tallyExperiment(source: TallySource): VariationTally[] {
  const byVariation = new Map<number, Tally>();
  const tallyOf = (variationId: number) => {
    const found = byVariation.get(variationId) ?? {
      users: 0,
      first: null,
      conversions: new Map(),
      revenue: { sum: 0, sumSquares: 0 },
      bySplit: new Map<string, number>(),
      late: 0,
    };
    byVariation.set(variationId, found);
    return found;
  };
  for (const a of source.assignments) {
    const tally = tallyOf(a.variationId);
    if (Date.parse(a.assignedAt) > source.endMs) {
      tally.late += 1;
      continue;
    }
    tally.users += 1;
    tally.bySplit.set(a.weights ?? '', (tally.bySplit.get(a.weights ?? '') ?? 0) + 1);
    if (tally.first === null || Date.parse(a.assignedAt) < Date.parse(tally.first))
      tally.first = a.assignedAt;
    for (const v of a.values ?? []) {
      tally.conversions.set(v.event, (tally.conversions.get(v.event) ?? 0) + 1);
    }
    const value = a.values?.find((v) => v.event === source.valueEvent)?.sum ?? 0;
    tally.revenue.sum += value;
    tally.revenue.sumSquares += value * value;
  }
  for (const variationId of source.exposedVariations) tallyOf(variationId);
  return [...byVariation.entries()]
    .sort(([a], [b]) => a - b)
    .map(
      ([variationId, t]): VariationTally => ({
        variationId,
        users: t.users,
        firstAssignedAt: t.first,
        exposures: source.exposures(variationId),
        conversions: [...t.conversions.entries()].map(([event, users]) => ({ event, users })),
        ...(source.valueEvent === undefined ? {} : { revenue: { ...t.revenue } }),
        usersBySplit: [...t.bySplit.entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([weights, users]) => ({ weights: weights === '' ? null : weights, users })),
        ...(t.late > 0 ? { enrolledAfterEnd: t.late } : {}),
      }),
    );
}

/**
 * Assignments up to the version's end (`endMs`) counted per UTC day and variation (imported
 * records may carry any offset, hence the parse).
 */
export function countEnrollmentsByDay(
  assignments: readonly AssignmentRecord[],
  endMs: number,
): DailyEnrollment[] {
  const counts = new Map<string, DailyEnrollment>();
  for (const a of assignments) {
    if (Date.parse(a.assignedAt) > endMs) continue;
    const day = new Date(a.assignedAt).toISOString().slice(0, 10);
    const k = `${day}\u0000${a.variationId}`;
    const found = counts.get(k);
    if (found) found.users += 1;
    else counts.set(k, { day, variationId: a.variationId, users: 1 });
  }
  return [...counts.values()].sort((x, y) =>
    x.day === y.day ? x.variationId - y.variationId : x.day < y.day ? -1 : 1,
  );
}
