import { type Document, isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Problem } from './problems.js';

export type JsonPath = readonly (string | number)[];

/**
 * The first syntax errors of a file, not all: one mis-indented line made the parser report
 * 517, burying the one that mattered in `offerd validate`, the reload's lastError (45 KB) and
 * a 44 KB log line (newcomer probe). The first is the cause; the rest follow from it.
 */
const SYNTAX_PROBLEMS_SHOWN = 3;

/**
 * A parsed rule file that can point back at its own text: every problem found later
 * (schema, references, duplicates) is reported as file:line:col.
 */
export class YamlSource {
  private constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Parses `text`; YAML syntax errors come back as problems and no source. */
  static parse(file: string, text: string): { source: YamlSource; value: unknown } | { problems: Problem[] } {
    const lines = new LineCounter();
    // YAML 1.2 keeps `yes` a string. Duplicate keys are errors, not silent overwrites, but
    // checked by keyProblem: the parser's uniqueKeys compares every pair of keys of a
    // mapping (a 400 KB file of 50,000 keys took 126 s).
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
    if (doc.errors.length > 0) {
      const problems = doc.errors.slice(0, SYNTAX_PROBLEMS_SHOWN).map((e) => {
        const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
        return { file, line: pos.line, col: pos.col, message: e.message.split('\n')[0] ?? e.code };
      });
      const more = doc.errors.length - problems.length;
      const last = problems.at(-1);
      if (more > 0 && last)
        last.message += ` (and ${more} more syntax error(s) after it, most of them caused by the first)`;
      return { problems };
    }
    const bad = keyProblem(doc);
    if (bad) {
      const pos = lines.linePos(bad.at);
      return { problems: [{ file, line: pos.line, col: pos.col, message: bad.message }] };
    }
    try {
      return { source: new YamlSource(file, doc, lines), value: doc.toJS({ maxAliasCount: 100 }) };
    } catch (err) {
      // toJS refuses alias bombs (and anything else it cannot build) by throwing.
      return { problems: [{ file, line: 1, col: 1, message: (err as Error).message }] };
    }
  }

  /**
   * The position of the node at `path`; with `key`, of that key inside the mapping at
   * `path` (for "unknown property" errors). Aliases are not followed by getIn, so this
   * falls back to the nearest ancestor that exists.
   */
  locate(path: JsonPath, key?: string): { line: number; col: number } {
    if (key !== undefined) {
      const map = this.doc.getIn(path, true);
      if (isNode(map) && 'items' in map && Array.isArray(map.items)) {
        const pair = map.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
        if (isPair(pair) && isNode(pair.key) && pair.key.range) return this.lines.linePos(pair.key.range[0]);
      }
    }
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return this.lines.linePos(node.range[0]);
    }
    return { line: 1, col: 1 };
  }

  problem(path: JsonPath, message: string, key?: string): Problem {
    return { file: this.file, ...this.locate(path, key), message };
  }
}

/**
 * The first key that is not a scalar (`? [a, b]: 1`, `*alias: 1`) or repeats one before
 * it in its mapping, walked without recursion. Nothing offerd reads has non-scalar keys,
 * and turning nested ones into strings made toJS take seconds (~160 ms for 100 nested
 * `? ` keys, minutes for 1,000).
 */
function keyProblem(doc: Document): { at: number; message: string } | null {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isSeq(node)) for (const item of node.items) stack.push(item);
    if (!isMap(node)) continue;
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = pair.key;
      if (key !== null && !isScalar(key)) {
        const at = isNode(key) ? (key.range?.[0] ?? 0) : 0;
        return { at, message: 'a key must be a plain value, not a list, mapping or alias' };
      }
      const id = key === null ? 'null' : `${typeof key.value}:${String(key.value)}`;
      if (seen.has(id)) return { at: key?.range?.[0] ?? 0, message: 'Map keys must be unique' };
      seen.add(id);
      stack.push(pair.value);
    }
  }
  return null;
}
