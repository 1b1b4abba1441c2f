/** How many users one variation enrolled on one UTC day (as the store counts them). */
export interface DayCount {
  /** YYYY-MM-DD, UTC. */
  day: string;
  variationId: number;
  users: number;
}

/** Enrolled users per day and variation, every day of the window present (0 when nobody came). */
export interface EnrollmentTimeline {
  /** UTC days, oldest first: from the experiment's first enrollment (or TIMELINE_DAYS back) to today. */
  days: string[];
  variations: {
    variationId: number;
    /** Users enrolled before the first day shown (the window cut them off); cumulative counts start here. */
    enrolledBefore: number;
    /** Users newly enrolled on each day of `days`. */
    enrolled: number[];
  }[];
}

/** The longest window shown: a chart of more days is unreadable and the response must stay bounded. */
export const TIMELINE_DAYS = 90;

const DAY_MS = 86_400_000;
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const msOf = (day: string): number => Date.parse(`${day}T00:00:00.000Z`);

/**
 * The enrollment series of one experiment for `variationIds` (in that order; counts of
 * other variations are dropped): the last TIMELINE_DAYS UTC days up to `now`, or to the
 * latest enrollment if a clock skew put one later. Empty days are 0, so the chart is honest.
 */
export function enrollmentTimeline(
  counts: readonly DayCount[],
  variationIds: readonly number[],
  now: Date,
): EnrollmentTimeline {
  const days = counts.map((c) => c.day).sort();
  const first = days[0];
  const last = days.at(-1);
  if (first === undefined || last === undefined) {
    return {
      days: [],
      variations: variationIds.map((variationId) => ({ variationId, enrolledBefore: 0, enrolled: [] })),
    };
  }
  const end = Math.max(msOf(dayOf(now.getTime())), msOf(last));
  const start = Math.max(msOf(first), end - (TIMELINE_DAYS - 1) * DAY_MS);
  const shown: string[] = [];
  for (let ms = start; ms <= end; ms += DAY_MS) shown.push(dayOf(ms));
  const index = new Map(shown.map((day, i) => [day, i]));
  const variations = variationIds.map((variationId) => {
    const enrolled = shown.map(() => 0);
    let enrolledBefore = 0;
    for (const c of counts) {
      if (c.variationId !== variationId) continue;
      const i = index.get(c.day);
      if (i === undefined) enrolledBefore += c.users;
      else enrolled[i] = (enrolled[i] ?? 0) + c.users;
    }
    return { variationId, enrolledBefore, enrolled };
  });
  return { days: shown, variations };
}
