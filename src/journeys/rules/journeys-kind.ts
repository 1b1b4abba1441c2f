import { closestName } from '../../rules/closest-name.js';
import type { CompileContext } from '../../rules/compile-context.js';
import type { Condition } from '../../rules/engine/conditions.js';
import { checkFacts, unknownFactProblem } from '../../rules/fact-catalogue.js';
import type { RuleFile } from '../../rules/rule-file.js';
import type { SegmentCatalog } from '../../rules/segment-catalog.js';
import type { JsonPath } from '../../rules/yaml-source.js';
import { durationMs } from '../domain/duration.js';
import { OFFER_TEMPLATE_FIELDS, type OfferTrigger } from '../domain/offer-planner.js';
import { parseTemplate, type TextTemplate, templatePaths, templateRoots } from '../domain/text-template.js';
import { DEFAULT_JOURNEYS } from './journeys-defaults.js';
import { checkClassifyCondition, factProblem, JOURNEYS_FACTS } from './journeys-facts.js';
import { buildJourneysRules, type JourneysParts } from './journeys-rule-sets.js';
import type { JourneysRules, RecommendationRule } from './journeys-rules.js';
import type { JourneysSpec } from './journeys-schema.js';

type File = RuleFile<JourneysSpec>;
/** A decision condition where it was written, for the fact check. */
type Written = { file: RuleFile<unknown>; path: JsonPath; condition: Condition };
type Section = 'lifecycle' | 'tiers' | 'score' | 'churnRisk' | 'limits';
const SECTIONS: readonly Section[] = ['lifecycle', 'tiers', 'score', 'churnRisk', 'limits'];

/**
 * Merges an app's Journeys files: each single section from the one file that has it
 * (the documented default otherwise), offers and recommendations from all of them.
 * Null when the app has no Journeys file.
 */
export function compileJourneys(
  files: File[],
  ctx: CompileContext,
  catalog: SegmentCatalog,
): JourneysRules | null {
  if (files.length === 0) return null;
  const at = singleSections(files, ctx);
  const spec = <S extends Section>(s: S): JourneysSpec[S] => at.get(s)?.file.spec[s];
  const lifecycle = spec('lifecycle') ?? DEFAULT_JOURNEYS.lifecycle;
  const tiers = spec('tiers') ?? DEFAULT_JOURNEYS.tiers;
  const score = spec('score') ?? DEFAULT_JOURNEYS.score;
  const churn = spec('churnRisk') ?? DEFAULT_JOURNEYS.churnRisk;
  const limits = { ...DEFAULT_JOURNEYS.limits, ...spec('limits') };

  const lifecycleFile = at.get('lifecycle')?.file;
  if (lifecycleFile) checkLifecycle(lifecycleFile, ctx);
  const tiersFile = at.get('tiers')?.file;
  if (tiersFile) checkTiers(tiersFile, ctx);
  const scoreFile = at.get('score')?.file;
  if (scoreFile) checkScore(scoreFile, ctx);
  const churnFile = at.get('churnRisk')?.file;
  if (churnFile) checkChurn(churnFile, ctx);
  const recommendations = compileRecommendations(files, ctx);
  const triggers = compileTriggers(files, ctx);
  // Decisions read the journeys facts, in their own conditions and in the segments they use.
  checkFacts(
    ctx,
    JOURNEYS_FACTS,
    [...recommendations, ...triggers].map((r) => r.written),
    catalog,
  );
  if (ctx.problems.length > 0) return null;

  const parts: JourneysParts = {
    lifecycle,
    tiers,
    score,
    churn,
    limits,
    recommendations: recommendations.map(({ rule, written }) => ({ rule, when: written.condition })),
    triggers: triggers.map(({ trigger, written }) => ({ trigger, when: written.condition })),
  };
  return buildJourneysRules(parts, catalog);
}

function singleSections(files: File[], ctx: CompileContext): Map<Section, { file: File }> {
  const found = new Map<Section, { file: File }>();
  for (const file of files) {
    for (const section of SECTIONS) {
      if (file.spec[section] === undefined) continue;
      const first = found.get(section);
      if (first) {
        const where = first.file.source.locate(['spec', section]);
        ctx.report(
          file,
          [section],
          `'${section}' is already defined at ${first.file.path}:${where.line}:${where.col}`,
        );
      } else {
        found.set(section, { file });
      }
    }
  }
  return found;
}

function checkLifecycle(file: File, ctx: CompileContext): void {
  const stages = file.spec.lifecycle?.stages ?? [];
  const items = stages.map((item, i) => ({ file, path: ['lifecycle', 'stages', i] as JsonPath, item }));
  ctx.checkUniqueIds(items, (s) => s.id, 'stage');
  for (const { path, item } of items)
    checkClassifyCondition(ctx, file, [...path, 'conditions'], item.conditions);
}

function checkTiers(file: File, ctx: CompileContext): void {
  const fact = file.spec.tiers?.fact;
  const factIssue = fact === undefined ? null : factProblem(fact, 'classify');
  if (factIssue) ctx.report(file, ['tiers', 'fact'], factIssue);
  const bands = file.spec.tiers?.bands ?? [];
  ctx.checkUniqueIds(
    bands.map((item, i) => ({ file, path: ['tiers', 'bands', i] as JsonPath, item })),
    (b) => b.id,
    'tier',
  );
  let previous: { value: number; inclusive: boolean } | null = null;
  bands.forEach((band, i) => {
    const path: JsonPath = ['tiers', 'bands', i];
    const last = i === bands.length - 1;
    const bounds = (band.below === undefined ? 0 : 1) + (band.atMost === undefined ? 0 : 1);
    if (last && bounds > 0) ctx.report(file, path, 'the last band is the catch-all: it takes no upper bound');
    if (!last && bounds !== 1)
      ctx.report(file, path, "every band but the last needs exactly one of 'below' or 'atMost'");
    const value = band.below ?? band.atMost;
    if (last || value === undefined) return;
    const inclusive = band.atMost !== undefined;
    // Bands must grow: `below: 5` then `atMost: 5` is the single value 5, anything else must be larger.
    if (
      previous &&
      (value < previous.value || (value === previous.value && (previous.inclusive || !inclusive)))
    ) {
      ctx.report(file, path, `band '${band.id}' must end above the band before it`);
    }
    previous = { value, inclusive };
  });
}

function checkScore(file: File, ctx: CompileContext): void {
  const score = file.spec.score;
  if (!score) return;
  const total = score.recency.weight + score.frequency.weight + score.monetary.weight + score.breadth.weight;
  if (Math.abs(total - 100) > 1e-9)
    ctx.report(file, ['score'], `weights must add up to 100 (they add up to ${total})`);
}

function checkChurn(file: File, ctx: CompileContext): void {
  const factors = file.spec.churnRisk?.factors ?? [];
  const items = factors.map((item, i) => ({ file, path: ['churnRisk', 'factors', i] as JsonPath, item }));
  ctx.checkUniqueIds(items, (f) => f.id, 'churn factor');
  for (const { path, item } of items)
    checkClassifyCondition(ctx, file, [...path, 'conditions'], item.conditions);
}

/** Why a template cannot read `path` (`offer.*`: the offer's own fields; else a journeys fact), or null. */
function placeholderProblem(path: string): string | null {
  if (!path.startsWith('offer.')) return unknownFactProblem(JOURNEYS_FACTS, path);
  const field = path.slice('offer.'.length);
  if ((OFFER_TEMPLATE_FIELDS as readonly string[]).includes(field)) return null;
  const near = closestName(field, OFFER_TEMPLATE_FIELDS, 3);
  return `an offer has no field '${field}' (known: ${OFFER_TEMPLATE_FIELDS.join(', ')})${near ? `; did you mean 'offer.${near}'?` : ''}`;
}

function template(
  file: File,
  path: JsonPath,
  source: string,
  roots: readonly string[],
  ctx: CompileContext,
): TextTemplate {
  const parsed = parseTemplate(source);
  if ('error' in parsed) {
    ctx.report(file, path, parsed.error);
    return { source, parts: [source] };
  }
  for (const root of templateRoots(parsed.template)) {
    if (!roots.includes(root))
      ctx.report(file, path, `unknown placeholder root '${root}' (known: ${roots.join(', ')})`);
  }
  // A misspelled path (`user.dispalyName`) rendered as an empty text in every player's offer,
  // and `{{ user.constructor }}` passed too (operator probe): each is checked like a fact.
  for (const read of templatePaths(parsed.template)) {
    const problem = placeholderProblem(read);
    if (problem && roots.includes(read.split('.')[0] ?? ''))
      ctx.report(file, path, `placeholder '{{ ${read} }}': ${problem}`);
  }
  return parsed.template;
}

function compileRecommendations(
  files: File[],
  ctx: CompileContext,
): { rule: RecommendationRule; written: Written }[] {
  const items = files.flatMap((file) =>
    (file.spec.recommendations ?? []).map((item, i) => ({
      file,
      path: ['recommendations', i] as JsonPath,
      item,
    })),
  );
  ctx.checkUniqueIds(items, (r) => r.id, 'recommendation');
  return items.map(({ file, path, item }) => {
    ctx.checkCondition(file, [...path, 'conditions'], item.conditions);
    const roots = ['profile', 'user'];
    return {
      rule: {
        id: item.id,
        priority: item.priority,
        name: template(file, [...path, 'name'], item.name, roots, ctx),
        reason: template(file, [...path, 'reason'], item.reason, roots, ctx),
      },
      written: { file, path: [...path, 'conditions'], condition: item.conditions },
    };
  });
}

function compileTriggers(files: File[], ctx: CompileContext): { trigger: OfferTrigger; written: Written }[] {
  const items = files.flatMap((file) =>
    (file.spec.offers ?? []).map((item, i) => ({ file, path: ['offers', i] as JsonPath, item })),
  );
  ctx.checkUniqueIds(items, (o) => o.offerType, 'offer type');
  return items.map(({ file, path, item }) => {
    ctx.checkCondition(file, [...path, 'conditions'], item.conditions);
    const roots = ['profile', 'user', 'offer'];
    const trigger: OfferTrigger = {
      offerType: item.offerType,
      priority: item.priority,
      gameType: item.gameType ?? null,
      title: template(file, [...path, 'title'], item.title, roots, ctx),
      description: template(file, [...path, 'description'], item.description, roots, ctx),
      pointsValue: item.pointsValue,
      expiresInMs: durationMs(item.expiresIn),
      cooldownMs: item.cooldown ? durationMs(item.cooldown) : 0,
      metadata: Object.freeze({ ...(item.metadata ?? {}) }),
    };
    return {
      trigger: Object.freeze(trigger),
      written: { file, path: [...path, 'conditions'], condition: item.conditions },
    };
  });
}
