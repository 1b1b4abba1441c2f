/** One changed stretch of a file: where it starts in each version and its lines, `-old` / `+new`. */
export interface Hunk {
  /** 1-based line in the old text where the change starts. */
  oldLine: number;
  /** 1-based line in the new text where the change starts. */
  newLine: number;
  lines: string[];
}

/** Beyond this many cells of the LCS table the changed middle is reported as replaced whole. */
const MAX_TABLE_CELLS = 4_000_000;

/**
 * The changed lines between two texts, as hunks. The common head and tail are trimmed
 * first (a typical rule edit touches a few lines), the middle is aligned by the longest
 * common subsequence of lines; a middle too large for that is shown as replaced whole.
 */
export function lineDiff(oldText: string, newText: string): Hunk[] {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) {
    tail++;
  }
  const oldMid = a.slice(head, a.length - tail);
  const newMid = b.slice(head, b.length - tail);
  if (oldMid.length === 0 && newMid.length === 0) return [];
  const ops =
    oldMid.length * newMid.length > MAX_TABLE_CELLS
      ? [...oldMid.map((l) => `-${l}`), ...newMid.map((l) => `+${l}`)]
      : alignLines(oldMid, newMid);
  return hunksOf(ops, head);
}

/** `-`, `+` and ` ` (kept) lines turning `a` into `b`, by a longest common subsequence. */
function alignLines(a: readonly string[], b: readonly string[]): string[] {
  const w = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * w + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * w + j + 1] as number) + 1
          : Math.max(lcs[(i + 1) * w + j] as number, lcs[i * w + j + 1] as number);
    }
  }
  const ops: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push(` ${a[i++]}`);
      j++;
    } else if (
      i < a.length &&
      (j === b.length || (lcs[(i + 1) * w + j] as number) >= (lcs[i * w + j + 1] as number))
    ) {
      // Removed lines before added ones, as in a unified diff.
      ops.push(`-${a[i++]}`);
    } else ops.push(`+${b[j++]}`);
  }
  return ops;
}

/** Groups consecutive changed lines into hunks, numbering from the trimmed head. */
function hunksOf(ops: readonly string[], head: number): Hunk[] {
  const hunks: Hunk[] = [];
  let oldLine = head + 1;
  let newLine = head + 1;
  let open: Hunk | null = null;
  for (const op of ops) {
    if (op.startsWith(' ')) {
      open = null;
      oldLine++;
      newLine++;
      continue;
    }
    if (!open) {
      open = { oldLine, newLine, lines: [] };
      hunks.push(open);
    }
    open.lines.push(op);
    if (op.startsWith('-')) oldLine++;
    else newLine++;
  }
  return hunks;
}
