import { type Document, isNode, isPair, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Problem } from './problems.js';

export type JsonPath = readonly (string | number)[];

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
    // uniqueKeys: a duplicated key is an error, not a silent overwrite; YAML 1.2 keeps `yes` a string.
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0) {
      return {
        problems: doc.errors.map((e) => {
          const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
          return { file, line: pos.line, col: pos.col, message: e.message.split('\n')[0] ?? e.code };
        }),
      };
    }
    return { source: new YamlSource(file, doc, lines), value: doc.toJS({ maxAliasCount: 100 }) };
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
