import { createHmac } from 'node:crypto';
import type { UserSnapshot } from '../../fixtures/user-snapshot.js';

/** One real decision, as served: enough to decide it again under other rules (replay). */
export interface RecordedDecision {
  appId: string;
  api: string;
  /** The user id as served, or its HMAC when user ids are hashed. */
  userId: string;
  at: string;
  /** Hash of the rules snapshot that decided. */
  rulesHash: string;
  /** The request's facts (country, platform, query, ...), as the case runner takes them. */
  request: Record<string, unknown>;
  /** The stored state the decision read, in portable records. */
  snapshot: UserSnapshot;
  /** What was served (banner + variation, offer ids, created offers), per API. */
  outcome: Record<string, unknown>;
  /**
   * The request or snapshot was too large to keep (characters of JSON it had) and is left
   * out: the decision cannot be replayed (see withinRecordBounds).
   */
  oversize?: { request?: number; snapshot?: number };
}

/** The decision log port: bounded per app and API, the oldest dropped first. */
export interface DecisionLog {
  /** Queues a decision; resolves once it is durable (tests, shutdown), serving does not await it. */
  record(decision: RecordedDecision): Promise<void>;
  /** The newest `limit` decisions of an app (and API), oldest first. */
  list(appId: string, api?: string, limit?: number): Promise<RecordedDecision[]>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface DecisionLogSettings {
  /** Share of decisions recorded, 0..1 (0.01: one in a hundred). */
  sampleRate: number;
  /** Decisions kept per app and API; older ones are dropped. */
  maxPerApi: number;
  /** HMAC key for user ids; null keeps them as served. */
  userIdKey: string | null;
}

export const DEFAULT_DECISION_LOG: DecisionLogSettings = {
  sampleRate: 0.01,
  maxPerApi: 10_000,
  userIdKey: null,
};

/**
 * Decides whether a decision is recorded, before anything is built for it, so serving an
 * unsampled request costs one random number. The random source is injectable (tests).
 */
export class DecisionSampler {
  constructor(
    private readonly settings: DecisionLogSettings,
    private readonly random: () => number = Math.random,
  ) {}

  sampled(): boolean {
    return this.settings.sampleRate > 0 && this.random() < this.settings.sampleRate;
  }

  /** The id as stored: an HMAC-SHA256 (hex) under the configured key, or the id itself. */
  storedUserId(userId: string): string {
    const key = this.settings.userIdKey;
    return key === null ? userId : createHmac('sha256', key).update(userId).digest('hex');
  }
}

/** Characters of JSON kept per app and API, and what one decision takes. */
export interface CharBudget {
  perApi: number;
  of: (d: RecordedDecision) => number;
}

/**
 * Keeps the newest `max` entries of each app and API in an array of decisions (oldest
 * first), and with a `budget` no more of them than fit in its characters.
 */
export function trimToBound(
  decisions: RecordedDecision[],
  max: number,
  budget?: CharBudget,
): RecordedDecision[] {
  const counts = new Map<string, { n: number; chars: number }>();
  const kept: RecordedDecision[] = [];
  for (let i = decisions.length - 1; i >= 0; i--) {
    const d = decisions[i];
    if (!d) continue;
    const key = `${d.appId}\u0000${d.api}`;
    const held = counts.get(key) ?? { n: 0, chars: 0 };
    if (held.n >= max) continue;
    const chars = budget ? held.chars + budget.of(d) : 0;
    if (budget && chars > budget.perApi) {
      // Older ones go too: the newest are kept, not whatever fits.
      held.n = max;
      counts.set(key, held);
      continue;
    }
    counts.set(key, { n: held.n + 1, chars });
    kept.push(d);
  }
  return kept.reverse();
}

/** The newest `limit` of the matching decisions, oldest first. */
export function selectDecisions(
  all: readonly RecordedDecision[],
  appId: string,
  api: string | undefined,
  limit: number | undefined,
): RecordedDecision[] {
  const matching = all.filter((d) => d.appId === appId && (api === undefined || d.api === api));
  return limit === undefined ? matching : matching.slice(Math.max(0, matching.length - limit));
}
