import type { CompileContext } from '../../rules/compile-context.js';
import { deepFreeze } from '../../rules/deep-freeze.js';
import type { Condition } from '../../rules/engine/conditions.js';
import { RuleSet } from '../../rules/engine/rule-set.js';
import { checkFacts } from '../../rules/fact-catalogue.js';
import type { RuleFile } from '../../rules/rule-file.js';
import { type SegmentCatalog, type SegmentEvaluator, segmentsUsedBy } from '../../rules/segment-catalog.js';
import type { JsonPath } from '../../rules/yaml-source.js';
import type { Experiment } from '../domain/banner-types.js';
import { isHttpOfferTemplate, type SpecialOffer, unknownOfferPlaceholders } from '../domain/special-offer.js';
import type { BannerSpec } from './banner-schema.js';
import { SPECIAL_OFFER_FACTS } from './special-offer-facts.js';
import type { SpecialOfferSpec } from './special-offer-schema.js';

/**
 * An app's special offers. Fact roots: `request` ({trigger, featureName, predictId,
 * countryIso2}), `context` (the call's propOverrides), `user` (activity and
 * `properties`), `segments`, `assignments` ({experimentId: variationId}).
 */
export interface SpecialOfferRules {
  /** Every trigger some offer answers. */
  readonly triggers: ReadonlySet<string>;
  readonly segments: SegmentEvaluator;
  /** Highest priority first: the first that matches and is within its limits wins. */
  readonly offers: RuleSet<SpecialOffer>;
}

interface Located {
  file: RuleFile<unknown>;
  path: JsonPath;
  item: SpecialOfferSpec;
}

const DEFAULT_EXPIRY_MINUTES = 60;

function check(ctx: CompileContext, at: Located, experiments: ReadonlyMap<string, Experiment>): void {
  const { item } = at;
  for (const name of unknownOfferPlaceholders(item.image)) {
    ctx.report(at.file, [...at.path, 'image'], `unknown placeholder {${name}} in the image URL`);
  }
  if (!isHttpOfferTemplate(item.image)) {
    ctx.report(at.file, [...at.path, 'image'], 'the image must be an absolute http(s) URL template');
  }
  if (item.experiment !== undefined && !experiments.has(item.experiment)) {
    ctx.report(at.file, [...at.path, 'experiment'], `unknown experiment '${item.experiment}'`);
  }
  if ((item.experiment === undefined) !== (item.variations === undefined)) {
    ctx.report(
      at.file,
      at.path,
      'experiment and variations go together (variation 0 is control: never an offer)',
    );
  }
  if (item.when) ctx.checkCondition(at.file, [...at.path, 'when'], item.when);
}

function compileOffer(spec: SpecialOfferSpec): SpecialOffer {
  return {
    id: spec.id,
    trigger: spec.trigger,
    priority: spec.priority ?? 0,
    experimentId: spec.experiment ?? null,
    variations: spec.variations ?? [],
    title: spec.title,
    image: spec.image,
    productId: spec.productId ?? null,
    price: spec.price ?? null,
    originalPrice: spec.originalPrice ?? null,
    currency: spec.currency ?? null,
    expiresInMinutes: spec.expiresInMinutes ?? DEFAULT_EXPIRY_MINUTES,
    cooldownMinutes: spec.cooldownMinutes ?? null,
    maxPerUser: spec.maxPerUser ?? null,
  };
}

/** The trigger, the experiment variation (when the offer has one) and the offer's own `when`. */
function condition(offer: SpecialOffer, when: Condition | undefined): Condition {
  const parts: Condition[] = [{ fact: 'request.trigger', operator: 'equal', value: offer.trigger }];
  if (offer.experimentId !== null) {
    parts.push({ fact: `assignments.${offer.experimentId}`, operator: 'in', value: [...offer.variations] });
  }
  if (when) parts.push(when);
  return { all: parts };
}

/** Compiles the `specialOffers` of every Banner file of an app. */
export function compileSpecialOffers(
  files: RuleFile<BannerSpec>[],
  experiments: ReadonlyMap<string, Experiment>,
  catalog: SegmentCatalog,
  ctx: CompileContext,
): SpecialOfferRules {
  const items: Located[] = files.flatMap((file) =>
    (file.spec.specialOffers ?? []).map((item, i) => ({ file, path: ['specialOffers', i], item })),
  );
  ctx.checkUniqueIds(items, (o) => o.id, 'special offer');
  for (const at of items) check(ctx, at, experiments);
  checkFacts(
    ctx,
    SPECIAL_OFFER_FACTS,
    items.flatMap((at) =>
      at.item.when ? [{ file: at.file, path: [...at.path, 'when'], condition: at.item.when }] : [],
    ),
    catalog,
  );
  const ordered = items
    .map((at, order) => ({ at, order, offer: compileOffer(at.item) }))
    .sort((a, b) => b.offer.priority - a.offer.priority || a.order - b.order);
  const specs = ordered.map((o, i) => ({
    id: o.offer.id,
    priority: i,
    when: condition(o.offer, o.at.item.when),
    data: o.offer,
  }));
  return Object.freeze({
    triggers: new Set(ordered.map((o) => o.offer.trigger)),
    segments: catalog.forIds(
      segmentsUsedBy(
        specs.map((s) => s.when),
        catalog,
      ),
    ),
    offers: RuleSet.build(deepFreeze(specs), 'fact'),
  });
}
