import type { CompileContext } from '../../rules/compile-context.js';
import { deepFreeze } from '../../rules/deep-freeze.js';
import type { Condition } from '../../rules/engine/conditions.js';
import { RuleSet } from '../../rules/engine/rule-set.js';
import { checkFacts } from '../../rules/fact-catalogue.js';
import type { RuleFile } from '../../rules/rule-file.js';
import { type SegmentCatalog, type SegmentEvaluator, segmentsUsedBy } from '../../rules/segment-catalog.js';
import type { JsonPath } from '../../rules/yaml-source.js';
import type { BannerChoice, BannerImage, BannerSettings, Experiment } from '../domain/banner-types.js';
import { CONTROL_VARIATION } from '../domain/banner-types.js';
import { isHttpUrlTemplate, unknownPlaceholders } from '../domain/image-template.js';
import { toLanguageCode } from '../domain/iso-codes.js';
import { BANNER_FACTS } from './banner-facts.js';
import type { BannerRuleSpec, BannerSettingsSpec, BannerSpec, ExperimentSpec } from './banner-schema.js';
import { compileExperiment, type Located } from './experiment-compile.js';
import { compileSpecialOffers, type SpecialOfferRules } from './special-offer-kind.js';

/**
 * An app's compiled banner rules. Fact roots its rule sets see: `request`, `context`,
 * `user`, `segments` and, for banner rules only, `assignment` ({experimentId, variationId}).
 */
export interface BannerRules {
  readonly settings: BannerSettings;
  /** In rule order: the first experiment that takes a user wins. */
  readonly experiments: readonly Experiment[];
  /** The segments that experiments and banners use, evaluated once per request. */
  readonly segments: SegmentEvaluator;
  /** One rule per experiment that has eligibility conditions. */
  readonly eligibility: RuleSet<Experiment>;
  /** Where each experiment's rule sits in `eligibility`, compiled with it (serving reads it per request). */
  readonly eligibilityIndex: EligibilityIndex;
  /** One rule per banner, in rule order; the first match wins. */
  readonly banners: RuleSet<BannerChoice>;
  /** What POST /feature answers for `special_offer_on_<trigger>`. */
  readonly specialOffers: SpecialOfferRules;
  /** The conditions as written, for lints (experiment-lints.ts); serving never reads them. */
  readonly written: WrittenConditions;
}

/** Where a rule is written, for warnings that point at it. */
export interface Site {
  file: string;
  line: number;
  col: number;
}

/** Where an experiment's keys that reload warnings are about are written. */
export interface ExperimentLines {
  status: Site;
  variations: Site;
  metrics: Site;
}

export interface WrittenConditions {
  /** Per experiment id: its eligibility (null: everyone) and where it is written (the experiment, without one). */
  eligibility: ReadonlyMap<string, { condition: Condition | null; site: Site }>;
  /**
   * Per experiment id: where its `status:` and `variations:` keys are written, for reload
   * warnings about a status or a weight change (they pointed at the eligibility, lines away).
   */
  lines: ReadonlyMap<string, ExperimentLines>;
  /**
   * Per banner rule in order: its own `when` (null: none), everything it matches on
   * (`when` plus experiment, variations, prize keys and types) and where it is written.
   */
  banners: readonly {
    id: string;
    experimentId: string | null;
    when: Condition | null;
    matches: Condition;
    site: Site;
  }[];
}

export interface EligibilityIndex {
  /** Position of the experiment's rule; experiments without one are eligible for everyone. */
  readonly positions: ReadonlyMap<string, number>;
  readonly everyone: ReadonlySet<string>;
}

const DEFAULT_SETTINGS = { fallbackLanguage: 'en', unknownCountry: 'ZZ' } as const;

function collect<T>(files: RuleFile<BannerSpec>[], pick: (spec: BannerSpec) => T[] | undefined, key: string) {
  return files.flatMap((file) => (pick(file.spec) ?? []).map((item, i) => ({ file, path: [key, i], item })));
}

/** Where `below` (or, with `key`, that key of the mapping at `below`) is written inside `at`. */
function siteOf(at: Located<unknown>, below: JsonPath = [], key?: string): Site {
  const { file, line, col } = at.file.source.problem(['spec', ...at.path, ...below], '', key);
  return { file, line, col };
}

function checkLanguages(
  ctx: CompileContext,
  at: Located<unknown>,
  languages: readonly string[],
  fallback: string,
): void {
  languages.forEach((lang, i) => {
    if (toLanguageCode(lang) !== lang) {
      ctx.report(at.file, [...at.path, 'languages', i], `'${lang}' is not an ISO 639-1 language code`);
    }
  });
  if (!languages.includes(fallback)) {
    ctx.report(
      at.file,
      [...at.path, 'languages'],
      `languages must include the fallback language '${fallback}'`,
    );
  }
}

function checkImage(ctx: CompileContext, at: Located<unknown>, image: BannerImage, fallback: string): void {
  for (const name of unknownPlaceholders(image.template)) {
    ctx.report(at.file, [...at.path, 'image'], `unknown placeholder {${name}} in the image URL`);
  }
  if (!isHttpUrlTemplate(image.template)) {
    ctx.report(at.file, [...at.path, 'image'], 'the image must be an absolute http(s) URL template');
  }
  checkLanguages(ctx, at, image.languages, fallback);
}

function compileSettings(files: RuleFile<BannerSpec>[], ctx: CompileContext): BannerSettings | null {
  const withSettings = files.filter((f) => f.spec.settings);
  const [first, second] = withSettings;
  if (second) ctx.report(second, ['settings'], `settings are already defined in ${first?.path}`);
  if (!first) {
    if (files[0]) ctx.report(files[0], [], 'one Banner file of the app must define settings');
    return null;
  }
  const spec = first.spec.settings as BannerSettingsSpec;
  const fallbackLanguage = spec.fallbackLanguage ?? DEFAULT_SETTINGS.fallbackLanguage;
  const languages = spec.languages ?? [fallbackLanguage];
  if (toLanguageCode(fallbackLanguage) !== fallbackLanguage) {
    ctx.report(
      first,
      ['settings', 'fallbackLanguage'],
      `'${fallbackLanguage}' is not an ISO 639-1 language code`,
    );
  }
  checkLanguages(ctx, { file: first, path: ['settings'], item: spec }, languages, fallbackLanguage);
  const defaultBanner = {
    template: spec.defaultBanner.image,
    languages: spec.defaultBanner.languages ?? languages,
  };
  checkImage(
    ctx,
    { file: first, path: ['settings', 'defaultBanner'], item: spec },
    defaultBanner,
    fallbackLanguage,
  );
  return {
    defaultPrizeKey: spec.defaultPrizeKey,
    prizeTypes: spec.prizeTypes,
    fallbackLanguage,
    languages,
    unknownCountry: spec.unknownCountry ?? DEFAULT_SETTINGS.unknownCountry,
    defaultBanner,
  };
}

function checkBannerTarget(
  ctx: CompileContext,
  at: Located<BannerRuleSpec>,
  experiments: ReadonlyMap<string, Experiment>,
  settings: BannerSettings | null,
): void {
  const spec = at.item;
  const experiment = spec.experiment === undefined ? undefined : experiments.get(spec.experiment);
  if (spec.experiment !== undefined && !experiment) {
    ctx.report(at.file, [...at.path, 'experiment'], `unknown experiment '${spec.experiment}'`);
  }
  if (spec.experiment !== undefined && !spec.variations) {
    ctx.report(at.file, at.path, `a banner of experiment '${spec.experiment}' needs its variations`);
  }
  if (spec.experiment === undefined && spec.variations) {
    ctx.report(at.file, [...at.path, 'variations'], 'variations need an experiment');
  }
  (spec.variations ?? []).forEach((id, i) => {
    const where = [...at.path, 'variations', i];
    if (id === CONTROL_VARIATION && experiment && !experiment.controlBanner) {
      ctx.report(
        at.file,
        where,
        `variation 0 is control: it gets the default banner unless experiment '${experiment.id}' sets controlBanner: true`,
      );
    } else if (experiment && !experiment.variations.some((v) => v.id === id)) {
      ctx.report(at.file, where, `experiment '${experiment.id}' has no variation ${id}`);
    }
  });
  (spec.prizeTypes ?? []).forEach((type, i) => {
    if (settings && !settings.prizeTypes.includes(type)) {
      ctx.report(at.file, [...at.path, 'prizeTypes', i], `'${type}' is not one of the app's prizeTypes`);
    }
  });
}

/** The banner's own `when` plus what its fields say, as one condition over the facts. */
function bannerCondition(spec: BannerRuleSpec): Condition {
  const parts: Condition[] = spec.experiment
    ? [
        { fact: 'assignment.experimentId', operator: 'equal', value: spec.experiment },
        { fact: 'assignment.variationId', operator: 'in', value: spec.variations ?? [] },
      ]
    : [{ fact: 'assignment.experimentId', operator: 'equal', value: '' }];
  if (spec.prizeKeys) parts.push({ fact: 'request.prizeKey', operator: 'in', value: spec.prizeKeys });
  if (spec.prizeTypes) {
    parts.push({ fact: 'request.prizeTypes', operator: 'containsAny', value: spec.prizeTypes });
  }
  if (spec.when) parts.push(spec.when);
  return { all: parts };
}

function compileChoice(
  ctx: CompileContext,
  at: Located<BannerRuleSpec>,
  experiments: ReadonlyMap<string, Experiment>,
  settings: BannerSettings | null,
): BannerChoice {
  checkBannerTarget(ctx, at, experiments, settings);
  if (at.item.when) ctx.checkCondition(at.file, [...at.path, 'when'], at.item.when);
  const fallback = settings?.fallbackLanguage ?? DEFAULT_SETTINGS.fallbackLanguage;
  const image = {
    template: at.item.image,
    languages: at.item.languages ?? settings?.languages ?? [fallback],
  };
  checkImage(ctx, at, image, fallback);
  return {
    id: at.item.id,
    experimentId: at.item.experiment ?? null,
    variations: at.item.variations ?? [],
    image,
  };
}

/** The rule sets, built once: each runs once per request over the segments they use. */
function buildRules(
  settings: BannerSettings,
  experiments: { spec: ExperimentSpec; compiled: Experiment; site: Site; lines: ExperimentLines }[],
  banners: { spec: BannerRuleSpec; choice: BannerChoice; site: Site }[],
  catalog: SegmentCatalog,
  specialOffers: SpecialOfferRules,
): BannerRules {
  const eligibilitySpecs = experiments
    .filter((e) => e.spec.eligibility)
    .map((e, i) => ({ id: e.spec.id, priority: i, when: e.spec.eligibility as Condition, data: e.compiled }));
  const bannerSpecs = banners.map((b, i) => ({
    id: b.spec.id,
    priority: i,
    when: bannerCondition(b.spec),
    data: b.choice,
  }));
  const used = segmentsUsedBy(
    [...eligibilitySpecs, ...bannerSpecs].map((s) => s.when),
    catalog,
  );
  return Object.freeze({
    settings: deepFreeze(settings),
    experiments: deepFreeze(experiments.map((e) => e.compiled)),
    segments: catalog.forIds(used),
    eligibility: RuleSet.build(eligibilitySpecs, 'fact', undefined, catalog.stats),
    eligibilityIndex: {
      positions: new Map(eligibilitySpecs.map((s, i) => [s.id, i])),
      everyone: new Set(experiments.filter((e) => !e.compiled.hasEligibility).map((e) => e.compiled.id)),
    },
    banners: RuleSet.build(deepFreeze(bannerSpecs), 'fact', undefined, catalog.stats),
    written: {
      eligibility: new Map(
        experiments.map((e) => [
          e.compiled.id,
          deepFreeze({ condition: e.spec.eligibility ?? null, site: e.site }),
        ]),
      ),
      lines: new Map(experiments.map((e) => [e.compiled.id, deepFreeze(e.lines)])),
      banners: deepFreeze(
        banners.map((b, i) => ({
          id: b.spec.id,
          experimentId: b.spec.experiment ?? null,
          when: b.spec.when ?? null,
          matches: bannerSpecs[i]?.when as Condition,
          site: b.site,
        })),
      ),
    },
    specialOffers,
  });
}

/**
 * Compiles every Banner file of an app (null when it has none). Every problem is
 * reported through `ctx`; the result is only meaningful when none was.
 */
export function compileBanner(
  files: RuleFile<BannerSpec>[],
  catalog: SegmentCatalog,
  ctx: CompileContext,
): BannerRules | null {
  if (files.length === 0) return null;
  const settings = compileSettings(files, ctx);
  const experimentItems = collect(files, (s) => s.experiments, 'experiments');
  ctx.checkUniqueIds(experimentItems, (e) => e.id, 'experiment');
  const experiments = experimentItems.map((at) => ({
    spec: at.item,
    compiled: compileExperiment(ctx, at),
    site: siteOf(at, at.item.eligibility ? ['eligibility'] : []),
    lines: {
      status: siteOf(at, [], 'status'),
      variations: siteOf(at, [], 'variations'),
      metrics: siteOf(at, [], 'metrics'),
    },
  }));
  const byId = new Map(experiments.map((e) => [e.compiled.id, e.compiled]));
  const bannerItems = collect(files, (s) => s.banners, 'banners');
  ctx.checkUniqueIds(bannerItems, (b) => b.id, 'banner');
  const banners = bannerItems.map((at) => ({
    spec: at.item,
    choice: compileChoice(ctx, at, byId, settings),
    site: siteOf(at),
  }));
  checkFacts(
    ctx,
    BANNER_FACTS,
    [
      ...experimentItems.flatMap((at) =>
        at.item.eligibility
          ? [{ file: at.file, path: [...at.path, 'eligibility'], condition: at.item.eligibility }]
          : [],
      ),
      ...bannerItems.flatMap((at) =>
        at.item.when ? [{ file: at.file, path: [...at.path, 'when'], condition: at.item.when }] : [],
      ),
    ],
    catalog,
  );
  const specialOffers = compileSpecialOffers(files, byId, catalog, ctx);
  return settings ? buildRules(settings, experiments, banners, catalog, specialOffers) : null;
}
