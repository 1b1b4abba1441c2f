import type { CompileContext } from '../../rules/compile-context.js';
import { deepFreeze } from '../../rules/deep-freeze.js';
import { RuleSet, type RuleSpec } from '../../rules/engine/rule-set.js';
import { checkFacts } from '../../rules/fact-catalogue.js';
import type { RuleFile } from '../../rules/rule-file.js';
import { type SegmentCatalog, type SegmentEvaluator, segmentsUsedBy } from '../../rules/segment-catalog.js';
import type { CompletedOffers } from '../domain/decide.js';
import type { RankingModel } from '../domain/ranking.js';
import { type RuleEffect, ruleEffect } from '../domain/rule-effects.js';
import { OFFERWALL_FACTS } from './offerwall-facts.js';
import type { OfferwallSpec } from './offerwall-schema.js';

/**
 * An app's compiled offerwall rules. A request evaluates `segments` once, then
 * `rules` once (segments as a fact); the matched rules' effects are applied to the
 * offers in plain code, so the engine never runs per offer.
 */
export interface OfferwallRules {
  readonly completedOffers: CompletedOffers;
  readonly ranking: RankingModel;
  readonly rules: RuleSet<RuleEffect>;
  /** Only the segments the rules use. */
  readonly segments: SegmentEvaluator;
  readonly segmentIds: readonly string[];
}

type Item = {
  file: RuleFile<OfferwallSpec>;
  path: (string | number)[];
  item: NonNullable<OfferwallSpec['rules']>[number];
};

/** Compiles the app's one Offerwall file (null when it has none). Call after segments. */
export function compileOfferwall(
  files: RuleFile<OfferwallSpec>[],
  catalog: SegmentCatalog,
  ctx: CompileContext,
): OfferwallRules | null {
  const [file, ...extra] = files;
  for (const f of extra) ctx.report(f, [], `only one Offerwall file per app (the first is ${file?.path})`);
  if (!file) return null;
  const spec = file.spec;
  const w = spec.ranking.weights;
  if (Object.values(w).every((v) => v === 0)) {
    ctx.report(file, ['ranking', 'weights'], 'at least one ranking weight must be above 0');
  }
  const items: Item[] = (spec.rules ?? []).map((item, i) => ({ file, path: ['rules', i], item }));
  ctx.checkUniqueIds(items, (r) => r.id, 'offerwall rule');
  for (const { path, item } of items) {
    ctx.checkCondition(file, [...path, 'when'], item.when);
    if (!item.exclude && !item.allowOnly && !item.boost) {
      ctx.report(file, path, `rule '${item.id}' does nothing: give it exclude, allowOnly or boost`);
    }
  }
  checkFacts(
    ctx,
    OFFERWALL_FACTS,
    items.map(({ path, item }) => ({ file, path: [...path, 'when'], condition: item.when })),
    catalog,
  );
  const specs: RuleSpec<RuleEffect>[] = items.map(({ item }) => ({
    id: item.id,
    priority: 1,
    when: item.when,
    data: deepFreeze(
      ruleEffect({
        ruleId: item.id,
        ...(item.exclude ? { exclude: structuredClone(item.exclude) } : {}),
        ...(item.allowOnly ? { allowOnly: structuredClone(item.allowOnly) } : {}),
        ...(item.boost ? { boost: structuredClone(item.boost) } : {}),
      }),
    ),
  }));
  const used = segmentsUsedBy(
    specs.map((s) => s.when),
    catalog,
  );
  return Object.freeze({
    completedOffers: spec.completedOffers ?? 'hide',
    ranking: Object.freeze({
      weights: Object.freeze({ ...w }),
      freshnessHalfLifeDays: spec.ranking.freshnessHalfLifeDays ?? 30,
    }),
    rules: RuleSet.build(specs, 'fact', undefined, catalog.stats),
    segments: catalog.forIds(used),
    segmentIds: Object.freeze([...used].sort()),
  });
}
