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
  /** True when hunks were cut at MAX_DIFF_LINES changed lines. */
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
}

export type ActivationReason = 'start' | 'watch' | 'reload' | 'rollback';

/** File path → its text: what a snapshot was built from, kept for content diffs. */
export type FileTexts = ReadonlyMap<string, string>;

/** A status entry stays readable: at most this many changed lines per file. */
const MAX_DIFF_LINES = 200;

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

function capped(file: string, status: FileDiff['status'], hunks: Hunk[]): FileDiff {
  let budget = MAX_DIFF_LINES;
  const kept: Hunk[] = [];
  for (const h of hunks) {
    if (budget <= 0) break;
    kept.push(h.lines.length <= budget ? h : { ...h, lines: h.lines.slice(0, budget) });
    budget -= h.lines.length;
  }
  return { file, status, hunks: kept, truncated: budget < 0 || kept.length < hunks.length };
}

/** The changed lines of every file that differs between two sets of texts (by name, sorted). */
export function diffTexts(before: FileTexts, after: FileTexts): FileDiff[] {
  const files = [...new Set([...before.keys(), ...after.keys()])].sort();
  return files.flatMap((file) => {
    const a = before.get(file);
    const b = after.get(file);
    if (a === b) return [];
    const status = a === undefined ? 'added' : b === undefined ? 'removed' : 'modified';
    return [capped(file, status, lineDiff(a ?? '', b ?? ''))];
  });
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
    const entry = {
      version: rules.version,
      hash: rules.hash,
      activatedAt: activation.at.toISOString(),
      reason: activation.reason,
      ms: activation.ms,
      changed: diffFiles(previous.rules, rules),
      diff: diffTexts(previous.texts, activation.texts),
    };
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
