/** Edit distance between two names (Levenshtein), for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/**
 * The candidate closest to `name`, if any is within `maxDistance` edits (no limit when
 * absent); the first of equally close ones.
 */
export function closestName(
  name: string,
  candidates: Iterable<string>,
  maxDistance = Number.POSITIVE_INFINITY,
): string | null {
  let best: { name: string; d: number } | null = null;
  for (const candidate of candidates) {
    const d = distance(name, candidate);
    if (d <= maxDistance && (!best || d < best.d)) best = { name: candidate, d };
  }
  return best?.name ?? null;
}
