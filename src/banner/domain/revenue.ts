import { type Interval, normalSf, Z95 } from './statistics.js';

/**
 * Sufficient statistics of one arm's revenue per user: every assigned user counts,
 * a user who never converted with revenue 0. `sum` is Σxᵢ and `sumSquares` Σxᵢ² over
 * each user's total value of converting events after assignment.
 */
export interface RevenueSums {
  users: number;
  sum: number;
  sumSquares: number;
}

/**
 * Users an arm needs before the normal approximation of its mean revenue is offered:
 * the textbook floor of the central limit theorem. Revenue per user is skewed (most
 * users pay nothing, a few pay a lot), so 30 is a minimum, not a guarantee; below it
 * the intervals are not shown at all.
 */
export const MIN_REVENUE_USERS = 30;

/** Why an arm of `users` is too small for a revenue interval, or null when it is not. */
export function tooFewForRevenue(users: number): string | null {
  return users >= MIN_REVENUE_USERS
    ? null
    : `too few users: ${users}; a revenue interval needs at least ${MIN_REVENUE_USERS} users per arm`;
}

/**
 * Why an arm cannot be compared with control on revenue (either has too few users), or null:
 * each arm's count once, then the floor once (the verdict's reason repeated the floor per arm
 * and read "…30 users per arm users", a newcomer probe).
 */
export function revenueTooFew(controlUsers: number, armUsers: number): string | null {
  const small = [
    controlUsers < MIN_REVENUE_USERS ? `control: ${controlUsers} users` : null,
    armUsers < MIN_REVENUE_USERS ? `this arm: ${armUsers} users` : null,
  ].filter((r): r is string => r !== null);
  return small.length === 0
    ? null
    : `too few users to compare (${small.join('; ')}; a revenue interval needs at least ${MIN_REVENUE_USERS} users per arm)`;
}

export interface RevenueEstimate {
  /** Mean revenue per assigned user. */
  perUser: number;
  /** Unbiased (n − 1) sample variance of revenue per user. */
  variance: number;
  /**
   * 95 % normal-approximation interval of the mean: perUser ± z·s/√n, its lower bound
   * clamped at 0 (no user's revenue is negative, so neither is their mean).
   */
  interval: Interval | null;
  /** Why the interval should not be read (fewer than MIN_REVENUE_USERS users), or null. */
  smallSample: string | null;
}

/** Mean, sample variance and interval of revenue per user; null with no users. */
export function revenueEstimate(r: RevenueSums, z = Z95): RevenueEstimate | null {
  if (r.users <= 0) return null;
  const perUser = r.sum / r.users;
  // Σ(x − mean)² = Σx² − n·mean², clamped: rounding may push it a hair below 0.
  const squares = Math.max(0, r.sumSquares - r.users * perUser * perUser);
  const variance = r.users > 1 ? squares / (r.users - 1) : 0;
  const half = r.users > 1 ? z * Math.sqrt(variance / r.users) : null;
  return {
    perUser,
    variance,
    interval: half === null ? null : { low: Math.max(0, perUser - half), high: perUser + half },
    smallSample: tooFewForRevenue(r.users),
  };
}

export interface RevenueComparison {
  /** perUser − control perUser. */
  difference: number;
  /** Welch's unequal-variance standard error with the normal quantile (large samples). */
  differenceInterval: Interval | null;
  /** perUser / control perUser − 1; null for zero control revenue. */
  uplift: number | null;
  /** Delta-method interval of the log ratio of means, back-transformed; null without revenue in either arm. */
  upliftInterval: Interval | null;
  /** Two-sided p of the difference (Welch z, normal approximation); null under two users an arm. */
  pValue: number | null;
  /** Why neither interval should be read (either arm under MIN_REVENUE_USERS users), or null. */
  smallSample: string | null;
}

/** One arm's revenue per user against control's. */
export function compareRevenue(control: RevenueSums, arm: RevenueSums, z = Z95): RevenueComparison | null {
  const c = revenueEstimate(control, z);
  const a = revenueEstimate(arm, z);
  if (!c || !a) return null;
  const difference = a.perUser - c.perUser;
  const enough = control.users > 1 && arm.users > 1;
  const se = Math.sqrt(a.variance / arm.users + c.variance / control.users);
  const differenceInterval = enough ? { low: difference - z * se, high: difference + z * se } : null;
  const uplift = c.perUser > 0 ? a.perUser / c.perUser - 1 : null;
  let upliftInterval: Interval | null = null;
  if (enough && c.perUser > 0 && a.perUser > 0) {
    const logRatio = Math.log(a.perUser / c.perUser);
    const logSe = Math.sqrt(
      a.variance / (arm.users * a.perUser ** 2) + c.variance / (control.users * c.perUser ** 2),
    );
    upliftInterval = { low: Math.exp(logRatio - z * logSe) - 1, high: Math.exp(logRatio + z * logSe) - 1 };
  }
  const smallSample = revenueTooFew(control.users, arm.users);
  const pValue = enough && se > 0 ? 2 * normalSf(Math.abs(difference) / se) : null;
  return { difference, differenceInterval, uplift, upliftInterval, pValue, smallSample };
}
