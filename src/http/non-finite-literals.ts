const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The bare literals some JSON writers emit for numbers JSON cannot hold, longest first. */
const LITERALS: readonly [string, string][] = [
  ['-Infinity', '-1e400'],
  ['Infinity', '1e400'],
  ['NaN', '1e400'],
];

/**
 * `text` with each bare `NaN`, `Infinity` and `-Infinity` outside its strings written as a
 * number literal past ±1.8e308, which JSON.parse reads as ±Infinity and the input bounds
 * refuse as "not a finite number", naming its field; null when the text has none. The
 * Unity SDK writes a double with `ToString` (Kibotu/Value.cs): a win rate of 0/0 goes out
 * as `NaN`, the whole batch is not JSON, and refused whole it was resent for ever, holding
 * back every later event of the device (real-clients probe). Read this way, only the record
 * holding it is refused. Only for batch bodies that JSON.parse refused: not a hot path.
 */
export function nonFiniteAsOverflow(text: string): string | null {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) {
      inString = true;
      continue;
    }
    const found = LITERALS.find(([literal]) => text.startsWith(literal, i));
    if (!found) continue;
    out += text.slice(from, i) + found[1];
    i += found[0].length - 1;
    from = i + 1;
  }
  return from === 0 ? null : out + text.slice(from);
}
