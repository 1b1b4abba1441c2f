import type { FieldProblem } from './app-error.js';

/**
 * Limits every request body is held to before any code of an API sees it. They are far
 * above what any route accepts (each route's schema is stricter) and far below what
 * breaks the process: a recursive walk, `JSON.stringify` or a store write overflows the
 * stack at ~5,000–8,000 levels of nesting, which fits in 48 KB of JSON.
 */
export interface InputBounds {
  /** Nesting of objects and arrays; the body itself is level 1. */
  maxDepth: number;
  /** Keys of one object. */
  maxKeys: number;
  /** Items of one array. */
  maxItems: number;
  /** Characters of one string value. */
  maxStringLength: number;
  /** Characters of one key. */
  maxKeyLength: number;
  /**
   * Objects and arrays in one body, counted on its text before it is parsed: a 1 KB gzip
   * body inflating to 260,000 `{}` within every other bound cost ~180 ms of CPU in the
   * parse and the bounds' walk, before authentication (hostile-client probe). An SDK batch
   * of 50 events holds a few hundred.
   */
  maxContainers: number;
  /**
   * Array items and object members in one body (each counts once, whatever it holds),
   * counted on its text before it is parsed: a 1 KB gzip body inflating to 500,000 zeros in
   * one array cost 20–48 ms of CPU in the parse and the walks after it, before
   * authentication, and 38 such requests a second (39 KB/s) held every other client 175 ms
   * at p99 (hostile probe). The largest batch a route takes (100 journeys events of 256
   * metadata values; 50 SDK records of 500 properties) holds ~26,000.
   */
  maxMembers: number;
}

export const DEFAULT_INPUT_BOUNDS: InputBounds = Object.freeze({
  maxDepth: 32,
  maxKeys: 1000,
  maxItems: 2000,
  maxStringLength: 65_536,
  maxKeyLength: 256,
  maxContainers: 20_000,
  maxMembers: 100_000,
});

/** With the `u` flag a pair is one code point: only a lone half is of category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why `text` cannot be stored as text, or null. NUL is no character PostgreSQL's text and
 * jsonb hold (22P02: a 500, and an /engage batch half applied, then applied again by each
 * retry; hostile probe), and a lone UTF-16 surrogate (`\ud800`, half of a character: a
 * C# string cut inside an emoji) is no Unicode text: PostgreSQL refused it in jsonb and
 * made it U+FFFD in text, so `sg\ud800` and `sg\ufffd` were one user there and two on
 * the embedded store. Refused alike on every store.
 */
export function notText(text: string): string | null {
  if (text.includes('\u0000')) return 'holds a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'holds a lone UTF-16 surrogate (half of a character)';
  return null;
}

/** Keys that could reach an object's prototype when a body is merged or spread. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** One value waiting to be checked, and how to name it if it fails. */
interface Pending {
  value: unknown;
  depth: number;
  parent: Pending | null;
  key: string | number | null;
}

/** `a.b[2].c`: the field a client can find in what it sent. */
function fieldOf(at: Pending | null, lastKey?: string): string {
  const parts: string[] = lastKey === undefined ? [] : [lastKey];
  for (let p = at; p !== null && p.key !== null; p = p.parent) {
    parts.push(typeof p.key === 'number' ? `[${p.key}]` : p.key);
  }
  let out = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i] as string;
    out += part.startsWith('[') || out === '' ? part : `.${part}`;
  }
  return out === '' ? 'body' : out.length > 200 ? `${out.slice(0, 200)}…` : out;
}

function checkObject(node: Pending, bounds: InputBounds, stack: Pending[]): FieldProblem | null {
  const object = node.value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length > bounds.maxKeys) {
    return { field: fieldOf(node), message: `has more than ${bounds.maxKeys} keys` };
  }
  for (const key of keys) {
    if (FORBIDDEN.has(key)) return { field: fieldOf(node, key), message: 'key is not allowed' };
    if (key.length > bounds.maxKeyLength) {
      return { field: fieldOf(node), message: `has a key longer than ${bounds.maxKeyLength} characters` };
    }
    const problem = notText(key);
    if (problem) return { field: fieldOf(node), message: `has a key that ${problem}` };
    stack.push({ value: object[key], depth: node.depth + 1, parent: node, key });
  }
  return null;
}

/**
 * The first way `value` breaks `bounds`, a prototype key or a number JSON cannot hold
 * (±Infinity) anywhere in it; null when none. Iterative: the depth of client data never becomes the depth of our stack.
 */
export function findOutOfBounds(
  value: unknown,
  bounds: InputBounds = DEFAULT_INPUT_BOUNDS,
): FieldProblem | null {
  const stack: Pending[] = [{ value, depth: 1, parent: null, key: null }];
  while (stack.length > 0) {
    const node = stack.pop() as Pending;
    const v = node.value;
    if (typeof v === 'string') {
      if (v.length > bounds.maxStringLength) {
        return { field: fieldOf(node), message: `is longer than ${bounds.maxStringLength} characters` };
      }
      const problem = notText(v);
      if (problem) return { field: fieldOf(node), message: problem };
      continue;
    }
    if (typeof v === 'number') {
      // JSON.parse reads a literal past ±1.8e308 (`1e400`) as ±Infinity, which no store keeps:
      // JSON.stringify writes it as null, so memory and disk would disagree until a restart.
      if (!Number.isFinite(v)) return { field: fieldOf(node), message: 'is not a finite number' };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (node.depth > bounds.maxDepth) {
      return { field: fieldOf(node.parent), message: `is nested deeper than ${bounds.maxDepth} levels` };
    }
    if (Array.isArray(v)) {
      if (v.length > bounds.maxItems) {
        return { field: fieldOf(node), message: `has more than ${bounds.maxItems} items` };
      }
      for (let i = 0; i < v.length; i++)
        stack.push({ value: v[i], depth: node.depth + 1, parent: node, key: i });
      continue;
    }
    const problem = checkObject(node, bounds, stack);
    if (problem) return problem;
  }
  return null;
}

/**
 * Whether `value` nests objects or arrays more than `max` levels deep (`{}` is one level).
 * Iterative and stops at `max + 1`. The per-field bound of free-form values that are
 * stored as they came (banner context, journeys metadata), tighter than the edge's.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, level] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (level + 1 > max) return true;
    for (const child of Object.values(v)) stack.push([child, level + 1]);
  }
  return false;
}

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** The bounds read on a body's text before it is parsed (see InputBounds). */
export type TextBounds = Pick<InputBounds, 'maxDepth' | 'maxContainers' | 'maxMembers'>;

const COMMA = 0x2c;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Why JSON text is too costly to parse, read without parsing it: it nests objects or arrays
 * more than `maxDepth` levels deep (`{}` is one level), or holds more than `maxContainers`
 * of them, or more than `maxMembers` array items and object members (the commas between
 * them, and the first of each that is not empty). A bracket or comma inside a string is
 * text: strings are skipped, escapes included. Text that is not JSON gets some answer; the
 * parse refuses it anyway. Stops at the first excess.
 */
export function textShapeProblem(text: string, bounds: TextBounds): string | null {
  const { maxDepth, maxContainers, maxMembers } = bounds;
  let depth = 0;
  let containers = 0;
  let members = 0;
  let inString = false;
  /** The last token opened an object or array: what follows is its first member, unless it closes. */
  let opened = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === SPACE || c === LF || c === CR || c === TAB) continue;
    const first = opened && c !== CLOSE_BRACE && c !== CLOSE_BRACKET;
    opened = false;
    if ((first || c === COMMA) && ++members > maxMembers)
      return `holds more than ${maxMembers} array items and object members`;
    if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return `is nested deeper than ${maxDepth} levels`;
      if (++containers > maxContainers) return `holds more than ${maxContainers} objects and arrays`;
      opened = true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return null;
}
