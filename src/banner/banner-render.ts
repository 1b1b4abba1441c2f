import type { UserSnapshot } from '../fixtures/user-snapshot.js';
import type { Facts, RuleOutcome } from '../rules/engine/rule-set.js';
import type { SegmentMatch } from '../rules/segment-catalog.js';
import type { BannerChoice, Experiment } from './domain/banner-types.js';
import type { ExperimentChoice } from './domain/experiment-choice.js';
import type { RenderReason } from './domain/render-reason.js';

/** The response body, exactly as the vendor's SDKs read it. */
export interface BannerResponse {
  imageFullUrl: string;
  kibotuMetadata: {
    userId: string;
    offerId: string;
    countryIso2: string | null;
    /** '' for users outside every experiment. */
    experimentId: string;
    /** 0: control; 1..n: a variation; -1: outside every experiment (never 0, which SDKs read as control). */
    variationId: number;
    renderId: string;
    /** The request's occasion, else the experiment's, else ''. */
    occasion: string;
  };
}

/** Where the served variation came from: a stored assignment, one made now, or none. */
export type AssignmentSource = 'stored' | 'new' | 'none';

/** One decision with everything explain and the fixtures look at. */
export interface Render {
  response: BannerResponse;
  reason: RenderReason;
  /** The banner rule's id, or 'default'. */
  bannerId: string;
  assignment: AssignmentSource;
  facts: Facts;
  /** Every segment's outcome when explaining; serving: the matched ids only. */
  segments: SegmentMatch;
  /** Every experiment's verdict when explaining; serving: those the choice looked at. */
  choice: ExperimentChoice;
  /** Every experiment's eligibility when explaining; serving: none kept. */
  eligibility: RuleOutcome<Experiment>[];
  /** Every banner rule's outcome when explaining; serving: the one that matched, if any. */
  banners: RuleOutcome<BannerChoice>[];
  /** The user's state as this render read it before writing, for a sampled decision. */
  snapshot(): Promise<UserSnapshot>;
}
