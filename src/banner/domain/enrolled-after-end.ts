import type { VariationTally } from './experiment-results.js';

/** Players assigned after their bucket version ended, as results tell them. */
export interface EnrolledAfterEnd {
  users: number;
  note: string;
}

/**
 * The players a version's results leave out because they were assigned after it ended. Their
 * conversions are credited to no version (the window closed), so counting them as users
 * pulled every rate down (account-manager probe: a stopped experiment set running again went
 * from 0.77 to 0.51 with no conversion lost).
 */
export function afterEnd(tallies: readonly VariationTally[]): { enrolledAfterEnd?: EnrolledAfterEnd } {
  const users = tallies.reduce((n, t) => n + (t.enrolledAfterEnd ?? 0), 0);
  if (users === 0) return {};
  const note = `${users} players were assigned after this bucket version ended (the rules ran it again, or a rollback did, without raising bucketVersion): nothing they do is credited to it, so they are in none of these figures; raise bucketVersion to run the experiment again`;
  return { enrolledAfterEnd: { users, note } };
}
