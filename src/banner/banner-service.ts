import type { Facts, RuleOutcome } from '../rules/engine/rule-set.js';
import type { SegmentMatch } from '../rules/segment-catalog.js';
import type { BannerChoice, BannerImage, BannerRequest, Experiment } from './domain/banner-types.js';
import { CONTROL_VARIATION } from './domain/banner-types.js';
import { chooseExperiment, type ExperimentChoice } from './domain/experiment-choice.js';
import { type ExperimentResults, experimentResults } from './domain/experiment-results.js';
import { imageLanguage, type TemplateFiller, templateFiller } from './domain/image-template.js';
import { userFacts } from './domain/user-activity.js';
import type { BannerRules } from './rules/banner-kind.js';
import type { BannerStore, TrackedEvent } from './store/banner-store.js';

/** The response body, exactly as the vendor's SDKs read it. */
export interface BannerResponse {
  imageFullUrl: string;
  kibotuMetadata: {
    userId: string;
    offerId: string;
    countryIso2: string | null;
    /** '' for users outside every experiment. */
    experimentId: string;
    /** 0: control, or outside every experiment. */
    variationId: number;
    renderId: string;
    /** The request's occasion, else the experiment's, else ''. */
    occasion: string;
  };
}

/**
 * MATCH: a banner rule matched; CONTROL: control group, default banner; NO_MATCH: in
 * an experiment variation no banner rule covers, default banner; DEFAULT: outside
 * every experiment and no banner rule matched.
 */
export type RenderReason = 'MATCH' | 'CONTROL' | 'NO_MATCH' | 'DEFAULT';

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
}

interface Served {
  experiment: Experiment;
  variationId: number;
  source: AssignmentSource;
}

export interface BannerServiceOptions {
  now: () => Date;
  /** A unique id per render (randomUUID in the server, a counter in fixtures). */
  newRenderId: () => string;
  /**
   * True for fixtures and explain: keep every segment and eligibility outcome, every
   * experiment's verdict and every banner rule's outcome. Serving (the default) makes the
   * same decision from the same json-rules-engine decisions and keeps only what it used.
   */
  explain?: boolean;
}

function requestFacts(r: BannerRequest): Record<string, unknown> {
  const { context: _context, ...fields } = r;
  return fields;
}

/** What a decision needs of segments and eligibility. */
interface Judged {
  eligible: { has(experimentId: string): boolean };
  segments: SegmentMatch;
  eligibility: RuleOutcome<Experiment>[];
}

/** Per snapshot: where each experiment's eligibility is in the eligibility rule set. */
interface EligibilityIndex {
  /** Position of the experiment's rule; experiments without one are eligible for everyone. */
  positions: ReadonlyMap<string, number>;
  everyone: ReadonlySet<string>;
}

function eligibilityIndex(rules: BannerRules): EligibilityIndex {
  return {
    positions: new Map(rules.eligibility.ids.map((id, i) => [id, i])),
    everyone: new Set(rules.experiments.filter((e) => !e.hasEligibility).map((e) => e.id)),
  };
}

/** Explaining: every segment and every experiment's eligibility, with their outcomes. */
async function judgeAll(rules: BannerRules, facts: Facts): Promise<Judged> {
  const segments = await rules.segments.evaluate(facts);
  facts.segments = segments.ids;
  const eligibility = await rules.eligibility.evaluate(facts);
  const eligible = new Set([
    ...rules.experiments.filter((e) => !e.hasEligibility).map((e) => e.id),
    ...eligibility.filter((o) => o.matched).map((o) => o.id),
  ]);
  return { eligible, segments, eligibility };
}

/** Serving: the same decisions as judgeAll, without building an outcome per rule. */
async function judgeServing(rules: BannerRules, facts: Facts, index: EligibilityIndex): Promise<Judged> {
  const ids = await rules.segments.matchedIds(facts);
  facts.segments = ids;
  const matched = await rules.eligibility.matched(facts);
  const has = (id: string): boolean => {
    const i = index.positions.get(id);
    return i === undefined ? index.everyone.has(id) : matched[i] === 1;
  };
  return { eligible: { has }, segments: { ids, outcomes: [] }, eligibility: [] };
}

/**
 * The personal-offers decision: segments → experiment (sticky) → banner. It reads
 * and writes only through the BannerStore port and knows nothing of HTTP.
 */
export class BannerService {
  /** Built once per snapshot; a reload drops it with the snapshot. */
  private readonly indexes = new WeakMap<BannerRules, EligibilityIndex>();
  /** Images belong to a snapshot too: each template is split once. */
  private readonly fillers = new WeakMap<BannerImage, TemplateFiller>();

  constructor(
    private readonly store: BannerStore,
    private readonly options: BannerServiceOptions,
  ) {}

  async render(appId: string, rules: BannerRules, request: BannerRequest): Promise<Render> {
    const now = this.options.now();
    const { facts, segments, eligibility, choice } = await this.decide(appId, rules, request, now);
    const served = await this.settle(appId, choice, request.userId, now);
    facts.assignment = { experimentId: served?.experiment.id ?? '', variationId: served?.variationId ?? 0 };
    const inControl = served?.variationId === CONTROL_VARIATION;
    // Control always gets the default banner: its banner rules need not run.
    const banners = inControl ? [] : await this.bannerOutcomes(rules, facts);
    const matched = banners.find((o) => o.matched)?.data ?? null;
    const reason: RenderReason = inControl ? 'CONTROL' : matched ? 'MATCH' : served ? 'NO_MATCH' : 'DEFAULT';
    const response = this.respond(rules, request, served, matched?.image ?? rules.settings.defaultBanner);
    const exposure = served && {
      experimentId: served.experiment.id,
      bucketVersion: served.experiment.bucketVersion,
      variationId: served.variationId,
    };
    await this.store.recordRender(appId, request.userId, now, exposure);
    return {
      response,
      reason,
      bannerId: matched?.id ?? 'default',
      assignment: served?.source ?? 'none',
      facts,
      segments,
      choice,
      eligibility,
      banners,
    };
  }

  /** Every banner rule's outcome when explaining; serving needs only the first that matches. */
  private async bannerOutcomes(rules: BannerRules, facts: Facts): Promise<RuleOutcome<BannerChoice>[]> {
    if (this.options.explain) return rules.banners.evaluate(facts);
    const first = await rules.banners.firstMatch(facts);
    return first ? [first] : [];
  }

  private indexOf(rules: BannerRules): EligibilityIndex {
    let index = this.indexes.get(rules);
    if (!index) {
      index = eligibilityIndex(rules);
      this.indexes.set(rules, index);
    }
    return index;
  }

  /** Facts, segments (each evaluated once), eligibility and the experiment that takes the user. */
  private async decide(appId: string, rules: BannerRules, request: BannerRequest, now: Date) {
    const [user, stored] = await Promise.all([
      this.store.user(appId, request.userId),
      this.store.assignments(appId, request.userId),
    ]);
    const facts: Facts = {
      request: requestFacts(request),
      context: request.context,
      user: userFacts(user, now),
    };
    const explain = this.options.explain === true;
    const { eligible, segments, eligibility } = explain
      ? await judgeAll(rules, facts)
      : await judgeServing(rules, facts, this.indexOf(rules));
    const choice = chooseExperiment({
      experiments: rules.experiments,
      eligible,
      occasion: request.occasion,
      stored,
      userId: request.userId,
      complete: explain,
    });
    return { facts, segments, eligibility, choice };
  }

  /** Makes a proposed assignment stick; the stored one wins if another request was first. */
  private async settle(
    appId: string,
    choice: ExperimentChoice,
    userId: string,
    now: Date,
  ): Promise<Served | null> {
    if (choice.kind === 'none') return null;
    // Written out: a spread plus a new key makes objects that outlive young GCs (offerwall-service.ts).
    if (choice.kind === 'stored')
      return { experiment: choice.experiment, variationId: choice.variationId, source: 'stored' };
    const { assignment, created } = await this.store.assign(appId, {
      experimentId: choice.experiment.id,
      bucketVersion: choice.experiment.bucketVersion,
      userId,
      variationId: choice.variationId,
      assignedAt: now.toISOString(),
    });
    return {
      experiment: choice.experiment,
      variationId: assignment.variationId,
      source: created ? 'new' : 'stored',
    };
  }

  private respond(
    rules: BannerRules,
    request: BannerRequest,
    served: Served | null,
    image: BannerImage,
  ): BannerResponse {
    const { settings } = rules;
    const experimentId = served?.experiment.id ?? '';
    const variationId = served?.variationId ?? CONTROL_VARIATION;
    const imageFullUrl = this.fillerOf(image)({
      prizeKey: request.prizeKey,
      languageIso2: imageLanguage(image, request.languageIso2, settings.fallbackLanguage),
      countryIso2: request.countryIso2 ?? settings.unknownCountry,
      offerId: request.offerId,
      experimentId,
      variationId: String(variationId),
    });
    return {
      imageFullUrl,
      kibotuMetadata: {
        userId: request.userId,
        offerId: request.offerId,
        countryIso2: request.countryIso2,
        experimentId,
        variationId,
        renderId: this.options.newRenderId(),
        occasion: request.occasion ?? served?.experiment.occasion ?? '',
      },
    };
  }

  private fillerOf(image: BannerImage): TemplateFiller {
    let filler = this.fillers.get(image);
    if (!filler) {
      filler = templateFiller(image.template);
      this.fillers.set(image, filler);
    }
    return filler;
  }

  /** Stores an already validated batch (all or nothing). */
  async track(appId: string, events: readonly TrackedEvent[]): Promise<void> {
    await this.store.track(appId, events);
  }

  /** Results of one experiment (its current bucket version unless one is named); null if unknown. */
  async results(
    appId: string,
    rules: BannerRules,
    experimentId: string,
    bucketVersion?: number,
  ): Promise<ExperimentResults | null> {
    const experiment = rules.experiments.find((e) => e.id === experimentId);
    if (!experiment) return null;
    const version = bucketVersion ?? experiment.bucketVersion;
    return experimentResults(experiment, version, await this.store.tallies(appId, experimentId, version));
  }
}
