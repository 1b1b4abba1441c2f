import type { AppRules } from './app-rules.js';
import { type Hunk, lineDiff } from './line-diff.js';
import type { Problem } from './problems.js';

export interface FileChanges {
  added: string[];
  removed: string[];
  modified: string[];
}

/** One file's change between two snapshots, with the changed lines. */
export interface FileDiff {
  file: string;
  status: 'added' | 'removed' | 'modified';
  hunks: Hunk[];
  /** True when hunks were cut: at MAX_DIFF_LINES changed lines, or at the entry's MAX_DIFF_BYTES. */
  truncated: boolean;
}

export interface HistoryEntry {
  version: string;
  hash: string;
  activatedAt: string;
  reason: ActivationReason;
  /** How long reading, validating and compiling the files took, in ms. */
  ms: number;
  changed: FileChanges;
  /** What changed in each file against the snapshot it replaced, line by line. */
  diff: FileDiff[];
  /** Set when `diff` was cut at MAX_DIFF_BYTES: says how much it leaves out. */
  diffNote?: string;
}

/** `last-good`: the store's copy of the rules last activated from files, served when they fail at start. */
export type ActivationReason = 'start' | 'watch' | 'reload' | 'rollback' | 'last-good';

/** File path → its text: what a snapshot was built from, kept for content diffs. */
export type FileTexts = ReadonlyMap<string, string>;

/** A status entry stays readable: at most this many changed lines per file. */
const MAX_DIFF_LINES = 200;

/**
 * And at most this many characters of changed lines per entry (all files), each line at most
 * MAX_DIFF_LINE_CHARS: /admin/rules carries up to 10 entries per app. Cut at 200 lines per file
 * only, 1,000 added files made each entry ~5.5 MB and the status 11 MB.
 */
export const MAX_DIFF_BYTES = 32 * 1024;
export const MAX_DIFF_LINE_CHARS = 400;

/** Which files differ between two snapshots, compared by content hash. */
export function diffFiles(before: AppRules | undefined, after: AppRules): FileChanges {
  const old = new Map((before?.files ?? []).map((f) => [f.path, f.hash]));
  const now = new Map(after.files.map((f) => [f.path, f.hash]));
  return {
    added: [...now.keys()].filter((p) => !old.has(p)),
    removed: [...old.keys()].filter((p) => !now.has(p)),
    modified: [...now].filter(([p, h]) => old.has(p) && old.get(p) !== h).map(([p]) => p),
  };
}

/**
 * Every file whose content changed since `before` while its `version:` did not, at the
 * `version:` line of its new text: the snapshot's version string is then that of another
 * snapshot, and only the hash tells them apart (history, rollback). Warnings only: the
 * change still goes live. `offerd validate` cannot say this; it never sees the old text.
 */
export function unbumpedVersions(before: AppRules | undefined, after: AppRules, texts: FileTexts): Problem[] {
  const old = new Map((before?.files ?? []).map((f) => [f.path, f]));
  return after.files.flatMap((f) => {
    const was = old.get(f.path);
    if (!was || was.hash === f.hash || String(was.version) !== String(f.version)) return [];
    const lines = (texts.get(f.path) ?? '').split('\n');
    const at = lines.findIndex((l) => /^version\s*:/.test(l));
    return [
      {
        file: f.path,
        line: at < 0 ? 1 : at + 1,
        col: 1,
        message: `content changed but version ${f.version} was not bumped: the snapshot before and this one (${after.hash}) show the same version and only their hashes tell them apart`,
      },
    ];
  });
}

const cutLine = (line: string) =>
  line.length <= MAX_DIFF_LINE_CHARS ? line : `${line.slice(0, MAX_DIFF_LINE_CHARS)}…`;

/** `hunks` cut at MAX_DIFF_LINES lines and at what is left of the entry's `bytes` budget. */
function capped(file: string, status: FileDiff['status'], hunks: Hunk[], bytes: { left: number }): FileDiff {
  let budget = MAX_DIFF_LINES;
  let cut = false;
  const kept: Hunk[] = [];
  for (const h of hunks) {
    if (budget <= 0 || bytes.left <= 0) {
      cut = true;
      break;
    }
    const lines: string[] = [];
    for (const line of h.lines) {
      if (budget <= 0 || bytes.left <= 0) {
        cut = true;
        break;
      }
      const shown = cutLine(line);
      lines.push(shown);
      budget--;
      bytes.left -= shown.length;
    }
    kept.push({ ...h, lines });
  }
  return { file, status, hunks: kept, truncated: cut };
}

/**
 * The changed lines of every file that differs between two sets of texts (by name, sorted),
 * at most MAX_DIFF_BYTES of them in all: once the budget is spent, a file shows no lines
 * (and is not diffed), `truncated` set; `note` says how many files that left out.
 */
export function diffTexts(before: FileTexts, after: FileTexts): { diff: FileDiff[]; note?: string } {
  const files = [...new Set([...before.keys(), ...after.keys()])].sort();
  const bytes = { left: MAX_DIFF_BYTES };
  let unshown = 0;
  const diff = files.flatMap((file): FileDiff[] => {
    const a = before.get(file);
    const b = after.get(file);
    if (a === b) return [];
    const status: FileDiff['status'] = a === undefined ? 'added' : b === undefined ? 'removed' : 'modified';
    if (bytes.left <= 0) {
      unshown++;
      return [{ file, status, hunks: [], truncated: true }];
    }
    return [capped(file, status, lineDiff(a ?? '', b ?? ''), bytes)];
  });
  if (bytes.left > 0 || !diff.some((d) => d.truncated)) return { diff };
  const note = `diff cut at ${MAX_DIFF_BYTES / 1024} KB of changed lines${unshown > 0 ? `: ${unshown} of ${diff.length} changed files show none` : ''}`;
  return { diff, note };
}

/**
 * The last N activations of one app, newest first: each with the texts its snapshot was built
 * from, which rollback compiles again. Not the snapshots themselves: a snapshot carries the
 * caches its serving warmed (decisions, ranking plans, targeting), and ten of them after the
 * bench's 20 reloads under load held 25 MB of heap and their buffers (RSS ~45 MB more after the
 * reloads; heap snapshot, docs/performance.md).
 */
export class RulesHistory {
  private readonly entries: { entry: HistoryEntry; texts: FileTexts }[] = [];

  constructor(private readonly limit: number) {}

  record(
    rules: AppRules,
    previous: { rules: AppRules | undefined; texts: FileTexts },
    activation: { reason: ActivationReason; at: Date; ms: number; texts: FileTexts },
  ): void {
    const base = {
      version: rules.version,
      hash: rules.hash,
      activatedAt: activation.at.toISOString(),
      reason: activation.reason,
      ms: activation.ms,
      changed: diffFiles(previous.rules, rules),
    };
    const { diff, note } = diffTexts(previous.texts, activation.texts);
    const entry: HistoryEntry = { ...base, diff, ...(note ? { diffNote: note } : {}) };
    this.entries.unshift({ entry, texts: activation.texts });
    this.entries.length = Math.min(this.entries.length, this.limit);
  }

  /** The texts of the activation with this hash. */
  find(hash: string): FileTexts | undefined {
    return this.entries.find((e) => e.entry.hash === hash)?.texts;
  }

  list(): HistoryEntry[] {
    return this.entries.map((e) => e.entry);
  }
}
