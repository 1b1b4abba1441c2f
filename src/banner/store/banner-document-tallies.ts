import type { VariationTally } from '../domain/experiment-results.js';
import type { AssignmentRecord } from './banner-document-assignments.js';
import type { UserRecord } from './banner-document-users.js';

interface Tally {
  users: number;
  first: string | null;
  conversions: Map<string, number>;
}

/** What tallies() reads: one experiment's assignments, its users, its exposure counters. */
export interface TallySource {
  assignments: readonly AssignmentRecord[];
  user(userId: string): UserRecord | undefined;
  /** The variations that have an exposure counter. */
  exposedVariations: readonly number[];
  exposures(variationId: number): number;
}

/**
 * Per variation: assigned users, the earliest assignment, exposures, and per event name
 * the assigned users whose latest such event came at or after their assignment.
 */
export function tallyExperiment(source: TallySource): VariationTally[] {
  const byVariation = new Map<number, Tally>();
  const tallyOf = (variationId: number) => {
    const found = byVariation.get(variationId) ?? { users: 0, first: null, conversions: new Map() };
    byVariation.set(variationId, found);
    return found;
  };
  for (const a of source.assignments) {
    const tally = tallyOf(a.variationId);
    tally.users += 1;
    if (tally.first === null || Date.parse(a.assignedAt) < Date.parse(tally.first))
      tally.first = a.assignedAt;
    for (const s of source.user(a.userId)?.eventStats ?? []) {
      if (Date.parse(s.lastAt) >= Date.parse(a.assignedAt)) {
        tally.conversions.set(s.name, (tally.conversions.get(s.name) ?? 0) + 1);
      }
    }
  }
  for (const variationId of source.exposedVariations) tallyOf(variationId);
  return [...byVariation.entries()]
    .sort(([a], [b]) => a - b)
    .map(([variationId, t]) => ({
      variationId,
      users: t.users,
      firstAssignedAt: t.first,
      exposures: source.exposures(variationId),
      conversions: [...t.conversions.entries()].map(([event, users]) => ({ event, users })),
    }));
}
