import type { CompileContext } from '../../rules/compile-context.js';
import { type Condition, forEachLeaf, isSegmentRef } from '../../rules/engine/conditions.js';
import type { RuleFile } from '../../rules/rule-file.js';
import { type SegmentCatalog, segmentsUsedBy } from '../../rules/segment-catalog.js';
import type { JsonPath } from '../../rules/yaml-source.js';
import { AGGREGATE_FACTS, CLASSIFIED_FACTS, USER_FACTS } from '../domain/fact-names.js';

export type Phase = 'classify' | 'decide';

const AGGREGATES: ReadonlySet<string> = new Set(AGGREGATE_FACTS);
const CLASSIFIED: ReadonlySet<string> = new Set(CLASSIFIED_FACTS);
const USER: ReadonlySet<string> = new Set(USER_FACTS);

/** Why `fact` cannot be read in `phase`, or null when it can. */
export function factProblem(fact: string, phase: Phase): string | null {
  const [root, key] = fact.split('.');
  if (root === 'segments' && key === undefined) {
    return phase === 'decide' ? null : 'segments are evaluated after stage, tier and churn risk';
  }
  if (root === 'user') return key === undefined || USER.has(key) ? null : `unknown fact '${fact}'`;
  if (root !== 'profile' || key === undefined) {
    return `unknown fact '${fact}' (journeys rules read profile.*, user.* and segments)`;
  }
  if (AGGREGATES.has(key)) return null;
  if (CLASSIFIED.has(key)) {
    return phase === 'decide'
      ? null
      : `'${fact}' is not known yet while stage, tier and churn risk are computed`;
  }
  return `unknown fact '${fact}' (known: ${[...AGGREGATES, ...CLASSIFIED].map((k) => `profile.${k}`).join(', ')})`;
}

/** Checks a condition's form (shared checks) and that every fact it reads exists in `phase`. */
export function checkJourneysCondition(
  ctx: CompileContext,
  file: RuleFile<unknown>,
  path: JsonPath,
  condition: Condition,
  phase: Phase,
): void {
  ctx.checkCondition(file, path, condition);
  forEachLeaf(condition, [...path], (leaf, at) => {
    if (isSegmentRef(leaf)) {
      if (phase === 'classify')
        ctx.report(file, at, 'segments are evaluated after stage, tier and churn risk');
      return;
    }
    const problem = factProblem(leaf.fact, phase);
    if (problem) ctx.report(file, [...at, 'fact'], problem);
  });
}

/**
 * The segments journeys rules use are evaluated on journeys facts too: a fact unknown
 * there would make the segment silently never match, so it is reported in the segment.
 */
export function checkUsedSegments(
  ctx: CompileContext,
  conditions: Condition[],
  catalog: SegmentCatalog,
): void {
  const byId = new Map(catalog.definitions.map((d) => [d.id, d.conditions]));
  for (const id of segmentsUsedBy(conditions, catalog)) {
    const site = ctx.segmentSite(id);
    const condition = byId.get(id);
    if (!site || !condition) continue;
    forEachLeaf(condition, [...site.path, 'conditions'], (leaf, at) => {
      if (isSegmentRef(leaf)) return;
      const problem = factProblem(leaf.fact, 'decide');
      if (problem)
        ctx.report(site.file, [...at, 'fact'], `${problem}; segment '${id}' is used by journeys rules`);
    });
  }
}
