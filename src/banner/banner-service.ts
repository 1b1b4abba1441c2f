import { LRUCache } from 'lru-cache';
import type { Facts, RuleOutcome } from '../rules/engine/rule-set.js';
import type { AssignmentSource, BannerResponse, Render } from './banner-render.js';
import { renderSnapshot } from './banner-snapshot.js';
import type { BannerChoice, BannerImage, BannerRequest, Experiment } from './domain/banner-types.js';
import { CONTROL_VARIATION } from './domain/banner-types.js';
import { type EnrollmentTimeline, enrollmentTimeline } from './domain/enrollment-timeline.js';
import { chooseExperiment, type ExperimentChoice, slotRivals } from './domain/experiment-choice.js';
import {
  type ExperimentResults,
  type ExperimentSummary,
  experimentResults,
  experimentSummary,
} from './domain/experiment-results.js';
import { imageLanguage, type TemplateFiller, templateFiller } from './domain/image-template.js';
import { reasonOf } from './domain/render-reason.js';
import { NO_EXPERIMENT_VARIATION } from './domain/special-offer.js';
import { splitOf } from './domain/split.js';
import { userFacts } from './domain/user-activity.js';
import { judgeAll, judgeServing } from './eligibility-judgement.js';
import type { BannerRules } from './rules/banner-kind.js';
import type { BannerStore, SdkVisitor, TrackedEvent } from './store/banner-store.js';
import type { ProfileStore } from './store/profile-store.js';
import { VersionEnds } from './version-ends.js';

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
  /**
   * The SDK's aliases (a sent id stands for its distinct id) and user profiles (their
   * properties are the `user.properties` fact). None: ids as sent, properties `{}`.
   */
  profiles?: Pick<ProfileStore, 'profile' | 'resolve'>;
}

function requestFacts(r: BannerRequest): Record<string, unknown> {
  const { context: _context, ...fields } = r;
  return fields;
}

const FILLER_LIMIT = 512;

/**
 * The personal-offers decision: segments → experiment (sticky) → banner. It reads
 * and writes only through the BannerStore port and knows nothing of HTTP.
 */
export class BannerService {
  /**
   * Each image template split once, by its text: a few templates per app, so the bound
   * (FILLER_LIMIT) is only reached by rules with hundreds of distinct images.
   */
  private readonly fillers = new LRUCache<string, TemplateFiller>({ max: FILLER_LIMIT });
  /** The ends of the bucket versions each rules snapshot no longer runs, recorded once (VersionEnds). */
  private readonly ends: VersionEnds;

  constructor(
    private readonly store: BannerStore,
    private readonly options: BannerServiceOptions,
  ) {
    this.ends = new VersionEnds(store, options.now);
  }

  /**
   * The sent user id may be an alias ($create_alias): the render is the distinct id's,
   * and its response names that id.
   */
  async render(appId: string, rules: BannerRules, sent: BannerRequest): Promise<Render> {
    await this.recordEnds(appId, rules);
    const now = this.options.now();
    const visitor = await this.visitorOf(appId, sent.userId);
    const request = visitor.userId === sent.userId ? sent : { ...sent, userId: visitor.userId };
    const { facts, segments, eligibility, choice } = await this.decide(rules, request, visitor, now);
    const served = await this.settle(appId, rules, choice, request.userId, now);
    facts.assignment = {
      experimentId: served?.experiment.id ?? '',
      variationId: served?.variationId ?? NO_EXPERIMENT_VARIATION,
    };
    const inControl = served?.variationId === CONTROL_VARIATION;
    // Control gets the default banner unless its experiment opted in to a banner of its own.
    const defaultOnly = inControl && !served?.experiment.controlBanner;
    const banners = defaultOnly ? [] : await this.bannerOutcomes(rules, facts);
    const matched = banners.find((o) => o.matched)?.data ?? null;
    const reason = reasonOf(inControl, matched !== null, served !== null);
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
      snapshot: () => renderSnapshot(this.store, appId, visitor),
    };
  }

  /** One round trip when the store reads aliases and profiles itself (PostgreSQL). */
  private async visitorOf(appId: string, sentId: string): Promise<SdkVisitor> {
    if (this.store.sdkVisitor) return this.store.sdkVisitor(appId, sentId);
    const profiles = this.options.profiles;
    const userId = profiles ? await profiles.resolve(appId, sentId) : sentId;
    const [visitor, properties] = await Promise.all([
      this.store.visitor(appId, userId),
      profiles?.profile(appId, 'user', userId),
    ]);
    return { ...visitor, userId, properties: properties ?? null };
  }

  /** Every banner rule's outcome when explaining; serving needs only the first that matches. */
  private async bannerOutcomes(rules: BannerRules, facts: Facts): Promise<RuleOutcome<BannerChoice>[]> {
    if (this.options.explain) return rules.banners.evaluate(facts);
    const first = await rules.banners.firstMatch(facts);
    return first ? [first] : [];
  }

  /** Facts, segments (each evaluated once), eligibility and the experiment that takes the user. */
  private async decide(rules: BannerRules, request: BannerRequest, visitor: SdkVisitor, now: Date) {
    const { user, assignments: stored, properties } = visitor;

    const facts: Facts = {
      request: requestFacts(request),
      context: request.context,
      user: { ...userFacts(user, now), properties: properties ?? {} },
    };
    const explain = this.options.explain === true;
    const { eligible, segments, eligibility } = explain
      ? await judgeAll(rules, facts)
      : await judgeServing(rules, facts);
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

  /**
   * Makes a proposed assignment stick; the stored one wins if another request was first,
   * in this experiment or in a rival for its slot (then the user is served that one).
   */
  private async settle(
    appId: string,
    rules: BannerRules,
    choice: ExperimentChoice,
    userId: string,
    now: Date,
  ): Promise<Served | null> {
    if (choice.kind === 'none') return null;
    // Written out: a spread plus a new key makes objects that outlive young GCs (offerwall-service.ts).
    if (choice.kind === 'stored')
      return { experiment: choice.experiment, variationId: choice.variationId, source: 'stored' };
    const { assignment, created } = await this.store.assign(
      appId,
      {
        experimentId: choice.experiment.id,
        bucketVersion: choice.experiment.bucketVersion,
        userId,
        variationId: choice.variationId,
        assignedAt: now.toISOString(),
        weights: splitOf(choice.experiment.variations),
      },
      slotRivals(rules.experiments, choice.experiment),
    );
    if (assignment.experimentId !== choice.experiment.id) {
      const rival = rules.experiments.find((e) => e.id === assignment.experimentId);
      return rival ? { experiment: rival, variationId: assignment.variationId, source: 'stored' } : null;
    }
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
    // The SDKs read variationId 0 as control (Unity's Asset.IsControlGroup): outside every
    // experiment the label is -1, so a game never hides a banner meant for everyone.
    const variationId = served ? served.variationId : NO_EXPERIMENT_VARIATION;
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
    let filler = this.fillers.get(image.template);
    if (!filler) {
      filler = templateFiller(image.template);
      this.fillers.set(image.template, filler);
    }
    return filler;
  }

  /** Whether the user was ever seen: rendered, tracked or assigned to a variation. */
  async knows(appId: string, userId: string): Promise<boolean> {
    const v = await this.store.visitor(appId, userId);
    return v.user !== null || v.assignments.length > 0;
  }

  /** `rules` went live at `at` after `before` (VersionEnds.activated): the versions they end, end then. */
  rulesActivated(appId: string, rules: BannerRules | undefined, at: Date, before?: BannerRules): void {
    this.ends.activated(appId, rules, at, before);
  }

  /** See VersionEnds.record: awaited before a render, a batch or a results read under `rules`. */
  recordEnds(appId: string, rules: BannerRules): Promise<void> {
    return this.ends.record(appId, rules);
  }

  /** Stores an already validated batch (all or nothing). */
  async track(
    appId: string,
    events: readonly TrackedEvent[],
    insertKeys?: readonly (string | null)[],
  ): Promise<void> {
    await this.store.track(appId, events, insertKeys);
  }

  /** The claims of the insert keys given to track() with `events` are durable (BannerStore.settleInsertKeys). */
  settleInsertKeys(
    appId: string,
    events: readonly TrackedEvent[],
    insertKeys: readonly (string | null)[],
  ): void {
    this.store.settleInsertKeys?.(appId, events, insertKeys);
  }

  /**
   * Results of one experiment (its current bucket version unless one is named) with its
   * enrollment timeline; null if unknown.
   */
  async results(
    appId: string,
    rules: BannerRules,
    experimentId: string,
    bucketVersion?: number,
  ): Promise<(ExperimentResults & { endedAt: string | null; timeline: EnrollmentTimeline }) | null> {
    const experiment = rules.experiments.find((e) => e.id === experimentId);
    if (!experiment) return null;
    await this.recordEnds(appId, rules);
    const version = bucketVersion ?? experiment.bucketVersion;
    // Revenue sums are read only for an experiment that declares a value property.
    const { primary, primaryValue } = experiment.metrics;
    const valueEvent = primary !== null && primaryValue ? primary : undefined;
    const [tallies, daily, endedAt] = await Promise.all([
      this.store.tallies(appId, experimentId, version, valueEvent),
      this.store.enrollmentsByDay(appId, experimentId, version),
      this.store.versionEnd(appId, experimentId, version),
    ]);
    const results = experimentResults(experiment, version, tallies);
    const variationIds = results.variations.map((v) => v.variationId);
    const timeline = enrollmentTimeline(daily, variationIds, this.options.now());
    return { ...results, endedAt, timeline };
  }

  /** Every experiment of the app in rule order, with its users and start at its current bucket version. */
  async experiments(appId: string, rules: BannerRules): Promise<ExperimentSummary[]> {
    return Promise.all(
      rules.experiments.map(async (e) =>
        experimentSummary(e, await this.store.tallies(appId, e.id, e.bucketVersion)),
      ),
    );
  }
}
