const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LETTER_N = 0x4e;
const LETTER_I = 0x49;
const MINUS = 0x2d;

/** The bare literals some JSON writers emit for numbers JSON cannot hold, longest first. */
const LITERALS: readonly [string, string][] = [
  ['-Infinity', '-1e400'],
  ['Infinity', '1e400'],
  ['NaN', '1e400'],
];

/** The characters a JSON value follows: `[`, `,`, `:` (and nothing, at the start). */
const VALUE_STARTS = new Set(['[', ',', ':', '']);

/** The last character before `i` that is not JSON whitespace, or '' at the start. */
function previousToken(text: string, i: number): string {
  for (let j = i - 1; j >= 0; j--) {
    const c = text[j] as string;
    if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return c;
  }
  return '';
}

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
    // Only a literal's first letter is looked at further: three startsWith at every character
    // cost 50–70 ms on a 1 MB batch of blanks with one bad token, sent keyless (hostile probe).
    if (c !== LETTER_N && c !== LETTER_I && c !== MINUS) continue;
    const found = LITERALS.find(([literal]) => text.startsWith(literal, i));
    // Only where a value starts: after digits (`0.000NaN`) it would splice into a number
    // literal and make it another finite one (a focused check stored 1 for `0.0…0NaN`). The
    // look back stops at the first non-blank: the runs it reads never overlap, so it is linear.
    if (!found || !VALUE_STARTS.has(previousToken(text, i))) continue;
    out += text.slice(from, i) + found[1];
    i += found[0].length - 1;
    from = i + 1;
  }
  return from === 0 ? null : out + text.slice(from);
}
