/**
 * Offer titles, descriptions and recommendation reasons: text with `{{ path }}`
 * placeholders over the evaluation's facts (`user.displayName`, `profile.plays30d`,
 * `offer.pointsValue`...), and `{{ path | fallback }}` for values that may be missing.
 */
export type TemplatePart = string | { path: string[]; fallback: string };

export interface TextTemplate {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)\s*(?:\|\s*([^}]*?)\s*)?\}\}/g;

/** Parses `source`; an unclosed or malformed `{{` is reported rather than printed to users. */
export function parseTemplate(source: string): { template: TextTemplate } | { error: string } {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of source.matchAll(PLACEHOLDER)) {
    const text = source.slice(last, m.index);
    if (text.includes('{{'))
      return { error: `malformed placeholder near '${text.slice(text.indexOf('{{'))}'` };
    if (text) parts.push(text);
    parts.push({ path: (m[1] ?? '').split('.'), fallback: m[2] ?? '' });
    last = m.index + m[0].length;
  }
  const rest = source.slice(last);
  if (rest.includes('{{')) return { error: `malformed placeholder near '${rest.slice(rest.indexOf('{{'))}'` };
  if (rest) parts.push(rest);
  return { template: Object.freeze({ source, parts: Object.freeze(parts) }) };
}

/** The root fact names a template reads, for checking them at compile time. */
export function templateRoots(t: TextTemplate): string[] {
  return t.parts.flatMap((p) => (typeof p === 'string' ? [] : [p.path[0] ?? '']));
}

/** The dotted paths a template reads (`user.displayName`), for checking them at compile time. */
export function templatePaths(t: TextTemplate): string[] {
  return t.parts.flatMap((p) => (typeof p === 'string' ? [] : [p.path.join('.')]));
}

function lookup(facts: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = facts;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** The longest a value from a player (a displayName...) may run inside offer text. */
export const MAX_INSERTED_LENGTH = 64;
// C0/C1 control characters, bidi and zero-width format characters (which reorder or
// hide text), and the characters that make markup or break out of HTML attributes.
const UNSAFE = /[\p{Cc}\p{Cf}<>"'`&]/gu;

/** A player's value as plain text: control and markup characters removed, length bounded. */
export function plainText(value: string): string {
  return Array.from(value.replace(UNSAFE, '').trim()).slice(0, MAX_INSERTED_LENGTH).join('').trim();
}

/** Fills the placeholders; a missing, null, empty or non-scalar value takes the fallback. */
export function renderTemplate(t: TextTemplate, facts: Record<string, unknown>): string {
  // A loop, not map and join: three offers per user on a million-user generation run.
  let out = '';
  for (const p of t.parts) {
    if (typeof p === 'string') {
      out += p;
      continue;
    }
    const v = lookup(facts, p.path);
    const text =
      typeof v === 'string' ? plainText(v) : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
    out += text !== '' ? text : p.fallback;
  }
  return out;
}
