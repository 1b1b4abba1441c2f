const UNITS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Pattern of a duration in rule files: a positive whole number and a unit, e.g. `90m`, `24h`, `7d`, `2w`. */
export const DURATION_PATTERN = '^[1-9][0-9]{0,5}(m|h|d|w)$';

/** Milliseconds of a duration such as `7d`; throws on anything else (the schema has checked it). */
export function durationMs(text: string): number {
  const match = /^([1-9][0-9]{0,5})(m|h|d|w)$/.exec(text);
  const unit = match?.[2] ? UNITS[match[2]] : undefined;
  if (!match || unit === undefined) throw new Error(`not a duration: '${text}'`);
  return Number(match[1]) * unit;
}
