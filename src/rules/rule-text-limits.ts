/**
 * Checks on a rule file's raw text before the YAML parser sees it. The loader runs on the
 * serving process's event loop, so text that would make parsing slow or blow the stack is
 * refused here, with a message that says what is wrong instead of the parser's.
 */

/**
 * Largest rule file read, in bytes; a larger one is refused without being read. The
 * biggest shipped file is 5 KB. Parsing runs on the event loop: the yaml parser took
 * 0.3–1.2 s over 128 KB (flow mappings are the slow case; measured with the 2 cores
 * shared by ~10 busy processes), time every request in flight waits while a reload runs.
 */
export const MAX_RULE_FILE_BYTES = 128 * 1024;

/**
 * Deepest `[`/`{` nesting accepted. The yaml parser takes ~15 s over 1 MB of `[` (and a
 * deeper value overflows the stack in toJS or the schema check); shipped rules nest
 * fewer than 10 levels, a `{{ template }}` counts 2.
 */
export const MAX_FLOW_DEPTH = 64;

/**
 * Deepest column at which a line's content may start, counting indentation and the
 * compact block indicators before it (`- - - x`, `? ? x`): each nesting level takes at
 * least one column, so this bounds block nesting. 128 K of `- ` on one line kept the
 * parser busy 1.6 s and overflowed its stack; shipped rules start lines before column 20.
 */
export const MAX_STRUCTURE_COLUMN = 128;

/**
 * An app's rule files as a whole: at most this many bytes, files, and items (segments, rules,
 * banners, experiments, offers: the entries of the lists right under a file's `spec`). Each
 * file under its own cap, 1,000 files of 120 KB (118 MB, 1.7 M segments) blocked the event
 * loop 665 s and left RSS at 3.8 GB. A reload parses and compiles every file on the event
 * loop, ~2.2 ms of CPU per KB of YAML and ~0.1 ms per item on this 2-core machine under
 * load (measured 2026-12-03); at these bounds the worst accepted app reloads in ~1 s,
 * yielding between files. The shipped demo is 8 files, 22 KB, 53 items; the bench's ×10
 * scale (bench/scale-rules.ts) 35 files, 151 KB, 494 items.
 */
export const MAX_APP_RULE_BYTES = 512 * 1024;
export const MAX_APP_RULE_FILES = 200;
export const MAX_APP_RULE_ITEMS = 2_000;

const MIB = 1024 * 1024;
const size = (bytes: number) =>
  bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;

export function oversizeMessage(bytes: number): string {
  return `file is ${size(bytes)}; a rule file may be at most ${size(MAX_RULE_FILE_BYTES)}`;
}

/**
 * Why an app's files, by size (stat, before any is read), are more than an app may have: the
 * file at which the count or the total passes its bound, and a message; null when within.
 */
export function appSizeProblem(
  files: readonly { path: string; bytes: number }[],
  what = 'rule files',
): { file: string; message: string } | null {
  const total = files.reduce((n, f) => n + f.bytes, 0);
  if (files.length > MAX_APP_RULE_FILES) {
    return {
      file: files[MAX_APP_RULE_FILES]?.path ?? '',
      message: `the app has ${count(files.length)} ${what}; an app may have at most ${count(MAX_APP_RULE_FILES)} (this is file ${count(MAX_APP_RULE_FILES + 1)})`,
    };
  }
  if (total <= MAX_APP_RULE_BYTES) return null;
  let sum = 0;
  const at = files.find((f) => {
    sum += f.bytes;
    return sum > MAX_APP_RULE_BYTES;
  });
  return {
    file: at?.path ?? '',
    message: `the app's ${count(files.length)} ${what} come to ${size(total)}; an app's ${what} may total at most ${size(MAX_APP_RULE_BYTES)} (passed at this file)`,
  };
}

/** Why an app's `items`-th item (1-based) is one too many. */
export function tooManyItemsMessage(items: number): string {
  return `the app has more than ${count(MAX_APP_RULE_ITEMS)} segments and rules (this is item ${count(items)}); an app may have at most ${count(MAX_APP_RULE_ITEMS)} in all (segments, rules, banners, experiments, offers...)`;
}

const count = (n: number) => n.toLocaleString('en-US');

/** Why `text` cannot be a rule file, or null when the parser may have it. */
export function textProblem(text: string): string | null {
  if (text.trim() === '') return 'file is empty: a rule file needs apiVersion, kind, version and spec';
  if (text.includes('\u0000') || text.includes('\uFFFD'))
    return 'file is not UTF-8 text (binary content?): a rule file is YAML';
  const depth = flowDepth(text);
  if (depth > MAX_FLOW_DEPTH) return `nesting deeper than ${MAX_FLOW_DEPTH} levels of [ and {`;
  const column = structureColumn(text);
  if (column > MAX_STRUCTURE_COLUMN)
    return `a line starts its content at column ${column}: nesting deeper than ${MAX_STRUCTURE_COLUMN} columns of indentation and - or ? indicators`;
  return null;
}

/**
 * The deepest nesting of `[`/`{`, counted over the whole text (brackets inside quoted
 * strings count too: an over-estimate that only refuses absurd files).
 */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return max;
}

const SPACE = 0x20;
const TAB = 0x09;
const INDICATORS = new Set([0x2d, 0x3f, 0x3a]); // - ? :

/** The largest column where a line's content starts after indentation and block indicators. */
function structureColumn(text: string): number {
  let max = 0;
  let lineStart = 0;
  while (lineStart < text.length) {
    let i = lineStart;
    for (;;) {
      const c = text.charCodeAt(i);
      const next = text.charCodeAt(i + 1);
      if (c === SPACE || c === TAB) i++;
      else if (INDICATORS.has(c) && (next === SPACE || next === TAB)) i += 2;
      else break;
    }
    max = Math.max(max, i - lineStart);
    const end = text.indexOf('\n', i);
    if (end < 0) break;
    lineStart = end + 1;
  }
  return max;
}
