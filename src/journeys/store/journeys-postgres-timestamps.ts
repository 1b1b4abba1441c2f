import pg from 'pg';

const TIMESTAMPTZ = 1184;
const parseTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ);

/**
 * A `timestamptz` read straight to the ISO string the journeys rows hold (`toISOString`'s
 * form, truncated to the millisecond as pg's Date is), without the Date in between: the
 * default parser's regex, a Date and `toISOString` per column, then `Date.parse` again in
 * the profile aggregates, were a visible share of a generation run's CPU. The fast path is
 * PostgreSQL's ISO output at offset zero, `YYYY-MM-DD HH:MM:SS[.ffffff]+00` (DateStyle ISO,
 * a UTC session); any other spelling (another session time zone or DateStyle, years
 * beyond 9999, BC, infinity) goes through pg's own parser and comes back as before (a
 * Date, or ±Infinity), for `iso()` in journeys-postgres-rows.ts to convert.
 */
export function timestamptzText(text: string): string | Date | number {
  const n = text.length;
  // 22: no fraction; 24 to 29: one to six fraction digits.
  if (
    (n === 22 || (n >= 24 && n <= 29 && text.charCodeAt(19) === 46)) && // '.'
    text.charCodeAt(n - 3) === 43 && // '+'
    text.charCodeAt(n - 2) === 48 && // '0'
    text.charCodeAt(n - 1) === 48 &&
    text.charCodeAt(4) === 45 && // '-': a four-digit year
    text.charCodeAt(10) === 32 // ' '
  ) {
    const fraction = n === 22 ? '000' : `${text.slice(20, n - 3)}00`.slice(0, 3);
    return `${text.slice(0, 10)}T${text.slice(11, 19)}.${fraction}Z`;
  }
  return parseTimestamptz(text) as Date | number;
}

/** pg's parsers but `timestamptz` as above: a query's `types` for reads into journeys rows. */
export const ISO_TIMESTAMPS = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ && format !== 'binary'
      ? timestamptzText
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};
