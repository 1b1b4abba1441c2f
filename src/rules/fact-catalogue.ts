import { closestName } from './closest-name.js';
import type { CompileContext } from './compile-context.js';
import { type Condition, forEachFactName } from './engine/conditions.js';
import type { RuleFile } from './rule-file.js';
import { type SegmentCatalog, segmentsUsedBy } from './segment-catalog.js';
import type { JsonPath } from './yaml-source.js';

/** One fact an API provides to its rules. */
export interface FactSpec {
  /** Dotted, as a condition's `fact` names it: `user.daysSinceLastSeen`. */
  name: string;
  type: string;
  example: unknown;
}

/** The facts one API provides: what its conditions, and the segments they use, may read. */
export interface FactCatalogue {
  api: string;
  facts: readonly FactSpec[];
  /** Facts whose keys are the client's or the data's own (`context`, `user.eventCounts`): any key below is fine. */
  open: readonly string[];
}

/**
 * The catalogue's name closest to `fact`, an open fact's keys included: `contxt.probe` is
 * nearest `context.probe` (the open prefix with the fact's own key), not the bare `context`.
 */
export function closestFact(catalogue: FactCatalogue, fact: string): string | null {
  const parts = fact.split('.');
  const underOpen = catalogue.open.flatMap((o) => {
    const depth = o.split('.').length;
    return parts.length > depth ? [`${o}.${parts.slice(depth).join('.')}`] : [];
  });
  return closestName(fact, [...catalogue.facts.map((f) => f.name), ...underOpen]);
}

/** Why the API cannot provide `fact`, with the closest name it does provide; null when it can. */
export function unknownFactProblem(catalogue: FactCatalogue, fact: string): string | null {
  if (catalogue.facts.some((f) => f.name === fact)) return null;
  if (catalogue.open.some((o) => fact.startsWith(`${o}.`))) return null;
  const near = closestFact(catalogue, fact);
  return `the ${catalogue.api} API provides no fact '${fact}'${near ? ` (did you mean '${near}'?)` : ''}`;
}

/**
 * Reports every fact read by `conditions` — and by every segment they use, at the segment's
 * own file:line — that the API does not provide: a condition's own fact and a fact its
 * value names (`value: {fact, path}`) alike. Such a condition would silently never match:
 * a misspelled fact otherwise validates and empties a segment. The segments checked are
 * marked on `ctx`, so checkUnusedSegmentFacts checks the others.
 */
export function checkFacts(
  ctx: CompileContext,
  catalogue: FactCatalogue,
  conditions: readonly { file: RuleFile<unknown>; path: JsonPath; condition: Condition }[],
  segments: SegmentCatalog,
): void {
  for (const { file, path, condition } of conditions) {
    forEachFactName(condition, [...path], (fact, at) => {
      const problem = unknownFactProblem(catalogue, fact);
      if (problem) ctx.report(file, at, problem);
    });
  }
  const byId = new Map(segments.definitions.map((d) => [d.id, d.conditions]));
  for (const id of segmentsUsedBy(
    conditions.map((c) => c.condition),
    segments,
  )) {
    const site = ctx.segmentSite(id);
    const condition = byId.get(id);
    if (!site || !condition) continue;
    ctx.markSegmentFactsChecked(id);
    forEachFactName(condition, [...site.path, 'conditions'], (fact, at) => {
      const problem = unknownFactProblem(catalogue, fact);
      if (problem) ctx.report(site.file, at, `${problem}; segment '${id}' is used by ${catalogue.api} rules`);
    });
  }
}

/**
 * Reports, in every segment no API's rules use (so checkFacts did not see it), each fact
 * that none of `catalogues` provides: a typo in a segment nobody uses yet is still a typo,
 * and would show only when some rule starts using it. With no API's catalogue to hold it
 * to, a fact any of them provides is accepted.
 */
export function checkUnusedSegmentFacts(
  ctx: CompileContext,
  catalogues: readonly FactCatalogue[],
  segments: SegmentCatalog,
): void {
  if (catalogues.length === 0) return;
  const anyApi: FactCatalogue = {
    api: catalogues.map((c) => c.api).join(', '),
    facts: catalogues.flatMap((c) => c.facts),
    open: catalogues.flatMap((c) => c.open),
  };
  for (const { id, conditions } of segments.definitions) {
    const site = ctx.segmentSite(id);
    if (!site || ctx.segmentFactsChecked(id)) continue;
    forEachFactName(conditions, [...site.path, 'conditions'], (fact, at) => {
      if (!unknownFactProblem(anyApi, fact)) return;
      const near = closestFact(anyApi, fact);
      ctx.report(
        site.file,
        at,
        `no API (${anyApi.api}) provides fact '${fact}'${near ? ` (did you mean '${near}'?)` : ''}; segment '${id}' is used by no rules yet`,
      );
    });
  }
}
