import type { Logger } from 'pino';
import type { ApiCaseRunner, FixtureApi } from '../../fixtures/api-case-runner.js';
import type { SnapshotScope, UserSnapshot } from '../../fixtures/user-snapshot.js';
import { RepeatedFailure } from '../repeated-failure.js';
import type { Store } from '../store.js';
import type { DecisionLog, DecisionSampler } from './decision-log.js';

/** What a route knows of a decision it served, built only for a sampled request. */
export interface ServedDecision {
  appId: string;
  userId: string;
  rulesHash: string;
  request: Record<string, unknown>;
  outcome: Record<string, unknown>;
  scope?: SnapshotScope;
  /**
   * The state the decision read, when the route captured it before deciding: a decision
   * that writes (journeys generation creates offers) would otherwise be recorded with its
   * own result in the state, and replayed against it. A promise when part of it is still
   * to be read (awaited behind, like the read through the store port when absent).
   */
  snapshot?: UserSnapshot | Promise<UserSnapshot>;
}

/**
 * Records a sample of served decisions: the route asks after it answered, the sampler
 * says no for most requests at the cost of one random number, and for the sampled ones
 * the user's snapshot is read and written behind, never awaited by the request.
 */
export class DecisionRecorder {
  /** Writes that fail while the store does (full disk, database down): logged when they start and end. */
  readonly #failures: RepeatedFailure;

  constructor(
    private readonly log: DecisionLog,
    private readonly sampler: DecisionSampler,
    private readonly store: Store,
    private readonly runners: ReadonlyMap<FixtureApi, ApiCaseRunner>,
    logger: Pick<Logger, 'warn' | 'info'>,
  ) {
    this.#failures = new RepeatedFailure(logger, 'a sampled decision was not recorded');
  }

  /** `served` is called only when this request is sampled. */
  record(api: FixtureApi, at: Date, served: () => ServedDecision): void {
    if (!this.sampler.sampled()) return;
    this.#write(api, at, served()).then(
      () => this.#failures.succeeded(),
      (err: unknown) => this.#failures.failed(err, { api }),
    );
  }

  async #write(api: FixtureApi, at: Date, d: ServedDecision): Promise<void> {
    const snapshot =
      (await d.snapshot) ??
      (await this.runners.get(api)?.snapshot?.(this.store, d.appId, d.userId, d.scope ?? {}));
    if (!snapshot) return;
    const userId = this.sampler.storedUserId(d.userId);
    const recorded = {
      appId: d.appId,
      api,
      userId,
      at: at.toISOString(),
      rulesHash: d.rulesHash,
      request: d.request,
      snapshot,
      outcome: d.outcome,
    };
    // Hashed ids: every exact occurrence of the id (records, request) becomes the HMAC, so
    // the log holds no raw id and a replay still finds the user's records under one id.
    const text = JSON.stringify(recorded);
    await this.log.record(
      userId === d.userId
        ? recorded
        : JSON.parse(text.replaceAll(JSON.stringify(d.userId), JSON.stringify(userId))),
    );
  }

  flush(): Promise<void> {
    return this.log.flush();
  }
}
