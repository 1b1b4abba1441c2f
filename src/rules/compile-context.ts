import {
  asFactReference,
  type Condition,
  FACT_NAME,
  isAll,
  isAny,
  isNot,
  isSegmentRef,
} from './engine/conditions.js';
import { DecisionCacheStats } from './engine/decision-cache.js';
import { ARRAY_VALUE_OPERATORS, KNOWN_OPERATORS } from './engine/operators.js';
import { expandedSize, MAX_EXPANDED_CONDITIONS, tooLarge } from './expanded-size.js';
import type { Problem } from './problems.js';
import type { RuleFile } from './rule-file.js';
import type { JsonPath } from './yaml-source.js';

const FORMS = ['all', 'any', 'not', 'fact', 'segment'] as const;
const REFERENCE_KEYS = ['fact', 'path', 'params'];

/**
 * Collects problems while an app's files are compiled. Kinds report through it so
 * every message is located; compilation goes on after a problem to report them all.
 */
export class CompileContext {
  readonly problems: Problem[] = [];
  private segmentIds: ReadonlySet<string> = new Set();
  /** How many of `problems` are references to a segment no file defines (AppLoader goes on past them). */
  unknownSegmentReferences = 0;
  private segmentSites: ReadonlyMap<string, { file: RuleFile<unknown>; path: JsonPath }> = new Map();
  private readonly factCheckedSegments = new Set<string>();
  /** Each segment's expanded size (expanded-size.ts), once the Segments kind has been read. */
  private segmentSizes: ReadonlyMap<string, number> = new Map();

  constructor(
    readonly appId: string,
    /** Where the rule sets compiled here count their decision cache lookups (the loader's). */
    readonly decisionStats: DecisionCacheStats = new DecisionCacheStats(),
  ) {}

  /** Segment ids known to this app, set once the Segments kind has been read. */
  setSegmentIds(ids: ReadonlySet<string>): void {
    this.segmentIds = ids;
  }

  /** Where each segment is defined (its first definition), so kinds can report inside it. */
  setSegmentSites(sites: ReadonlyMap<string, { file: RuleFile<unknown>; path: JsonPath }>): void {
    this.segmentSites = sites;
  }

  /** Each segment's size with the segments it references written out, set once they are all read. */
  setSegmentSizes(sizes: ReadonlyMap<string, number>): void {
    this.segmentSizes = sizes;
  }

  segmentSite(id: string): { file: RuleFile<unknown>; path: JsonPath } | undefined {
    return this.segmentSites.get(id);
  }

  /** Notes that some API's rules use segment `id` and its facts were checked against that API's. */
  markSegmentFactsChecked(id: string): void {
    this.factCheckedSegments.add(id);
  }

  segmentFactsChecked(id: string): boolean {
    return this.factCheckedSegments.has(id);
  }

  report(file: RuleFile<unknown>, specPath: JsonPath, message: string, key?: string): void {
    this.problems.push(file.source.problem(['spec', ...specPath], message, key));
  }

  /**
   * Checks the parts of a condition a schema cannot: its form, operators, segment references,
   * and its size with the segments it references written out (MAX_EXPANDED_CONDITIONS).
   */
  checkCondition(file: RuleFile<unknown>, path: JsonPath, condition: Condition): void {
    this.checkForm(file, path, condition);
    const size = expandedSize(condition, (id) => this.segmentSizes.get(id) ?? 0);
    if (size > MAX_EXPANDED_CONDITIONS) this.report(file, path, tooLarge('this condition', size));
  }

  private checkForm(file: RuleFile<unknown>, path: JsonPath, condition: Condition): void {
    const keys = Object.keys(condition);
    const forms = FORMS.filter((f) => keys.includes(f));
    if (forms.length !== 1) {
      this.report(
        file,
        path,
        `a condition needs exactly one of ${FORMS.join(', ')} (found ${forms.join(', ') || 'none'})`,
      );
      return;
    }
    if (isAll(condition) || isAny(condition)) {
      const list = isAll(condition) ? condition.all : condition.any;
      const name = isAll(condition) ? 'all' : 'any';
      if (keys.length > 1) this.report(file, path, `'${name}' cannot be combined with other keys`);
      list.forEach((c, i) => {
        this.checkForm(file, [...path, name, i], c);
      });
    } else if (isNot(condition)) {
      if (keys.length > 1) this.report(file, path, `'not' cannot be combined with other keys`);
      this.checkForm(file, [...path, 'not'], condition.not);
    } else if (isSegmentRef(condition)) {
      if (keys.length > 1) this.report(file, path, `'segment' cannot be combined with other keys`);
      if (!this.segmentIds.has(condition.segment)) {
        this.unknownSegmentReferences++;
        this.report(file, [...path, 'segment'], `unknown segment '${condition.segment}'`);
      }
    } else {
      // The schema lets operator and value be missing so that this can say which one.
      const leaf = condition as { fact: string; operator?: string; value?: unknown };
      this.checkLeaf(file, path, leaf);
    }
  }

  private checkLeaf(
    file: RuleFile<unknown>,
    path: JsonPath,
    condition: { fact: string; operator?: string; value?: unknown },
  ): void {
    if (condition.operator === undefined) {
      this.report(file, path, `condition on '${condition.fact}' needs an operator`);
    } else if (!KNOWN_OPERATORS.has(condition.operator)) {
      this.report(
        file,
        [...path, 'operator'],
        `unknown operator '${condition.operator}' (known: ${[...KNOWN_OPERATORS].join(', ')})`,
      );
    } else if (
      ARRAY_VALUE_OPERATORS.has(condition.operator) &&
      !Array.isArray(condition.value) &&
      !asFactReference(condition.value)
    ) {
      this.report(file, [...path, 'value'], `operator '${condition.operator}' needs a list as value`);
    }
    if (!('value' in condition)) this.report(file, path, `condition on '${condition.fact}' needs a value`);
    this.checkReference(file, [...path, 'value'], condition.value);
  }

  /**
   * A value that names a fact (`{fact, path?, params?}`) is read at run time, so it is held
   * to what a condition's own fact is: a dotted name, its path keys joined on the same way.
   * Whether the API provides that fact is checkFacts' part, with each API's catalogue.
   */
  private checkReference(file: RuleFile<unknown>, path: JsonPath, value: unknown): void {
    const ref = asFactReference(value);
    if (!ref) return;
    const extra = Object.keys(ref).filter((k) => !REFERENCE_KEYS.includes(k));
    if (extra.length > 0) {
      this.report(
        file,
        path,
        `a value with 'fact' reads that fact at run time and takes only ${REFERENCE_KEYS.join(', ')} (found ${extra.join(', ')})`,
        extra[0],
      );
    }
    if (typeof ref.fact !== 'string' || !FACT_NAME.test(ref.fact)) {
      this.report(
        file,
        [...path, 'fact'],
        `a value's fact must be a fact name like 'user.purchases' (found ${JSON.stringify(ref.fact)})`,
      );
      return;
    }
    if (ref.path === undefined) return;
    if (typeof ref.path !== 'string' || !FACT_NAME.test(`${ref.fact}.${ref.path}`)) {
      this.report(
        file,
        [...path, 'path'],
        `a value's path must be keys joined by '.', like 'limits.daily', as in a condition's fact (found ${JSON.stringify(ref.path)})`,
      );
    }
  }

  /**
   * Reports every id used twice across the files of one kind, pointing at the
   * second use and naming where the first one is.
   */
  checkUniqueIds<T>(
    items: { file: RuleFile<unknown>; path: JsonPath; item: T }[],
    idOf: (item: T) => string,
    what: string,
  ): void {
    const seen = new Map<string, { file: RuleFile<unknown>; path: JsonPath }>();
    for (const { file, path, item } of items) {
      const id = idOf(item);
      const first = seen.get(id);
      if (first) {
        const at = first.file.source.locate(['spec', ...first.path]);
        this.report(
          file,
          [...path, 'id'],
          `duplicate ${what} id '${id}' (first defined at ${first.file.path}:${at.line}:${at.col})`,
        );
      } else {
        seen.set(id, { file, path });
      }
    }
  }
}
