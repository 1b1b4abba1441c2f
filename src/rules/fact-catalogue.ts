import { closestName } from './closest-name.js';
import type { CompileContext } from './compile-context.js';
import { type Condition, type FactCondition, forEachFactName } from './engine/conditions.js';
import type { RuleFile } from './rule-file.js';
import { type SegmentCatalog, segmentsUsedBy } from './segment-catalog.js';
import type { JsonPath } from './yaml-source.js';

/** One fact an API provides to its rules. */
export interface FactSpec {
  /** Dotted, as a condition's `fact` names it: `user.daysSinceLastSeen`. */
  name: string;
  type: string;
  example: unknown;
  /** The only text the fact ever holds, where it is narrower than its type, and how to say it. */
  text?: { pattern: RegExp; says: string };
}

/** What the APIs hand rules as a country: upper case, as they normalize it. */
export const COUNTRY_TEXT = {
  pattern: /^[A-Z]{2}$/,
  says: 'countries reach rules as upper-case ISO 3166-1 alpha-2 codes (DE, US)',
} as const;

/** Operators that compare the fact with the literal value(s) as they are. */
const LITERAL_OPERATORS = new Set(['equal', 'notEqual', 'in', 'notIn']);

/**
 * Why a condition compares `spec`'s fact with a literal it can never hold, or null: an
 * account-manager check wrote `request.countryIso2 in [de, fr]`, which validated and never
 * matched (the APIs upper-case countries). Like an unknown fact, it silently empties a rule.
 */
function literalProblem(spec: FactSpec | undefined, leaf: FactCondition): string | null {
  if (!spec?.text || !LITERAL_OPERATORS.has(leaf.operator)) return null;
  const values = Array.isArray(leaf.value) ? leaf.value : [leaf.value];
  const never = values.filter((v): v is string => typeof v === 'string' && !spec.text?.pattern.test(v));
  if (never.length === 0) return null;
  return `${never.map((v) => `'${v}'`).join(', ')} can never be ${spec.name}: ${spec.text.says}`;
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
  const check = (fact: string, at: (string | number)[], leaf: FactCondition): string | null => {
    const unknown = unknownFactProblem(catalogue, fact);
    if (unknown || at.at(-2) === 'value') return unknown;
    return literalProblem(
      catalogue.facts.find((f) => f.name === fact),
      leaf,
    );
  };
  for (const { file, path, condition } of conditions) {
    forEachFactName(condition, [...path], (fact, at, leaf) => {
      const problem = check(fact, at, leaf);
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
    forEachFactName(condition, [...site.path, 'conditions'], (fact, at, leaf) => {
      const problem = check(fact, at, leaf);
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
