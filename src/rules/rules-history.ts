import type { AppRules } from './app-rules.js';

export interface FileChanges {
  added: string[];
  removed: string[];
  modified: string[];
}

export interface HistoryEntry {
  version: string;
  hash: string;
  activatedAt: string;
  reason: ActivationReason;
  /** How long reading, validating and compiling the files took, in ms. */
  ms: number;
  changed: FileChanges;
}

export type ActivationReason = 'start' | 'watch' | 'reload' | 'rollback';

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

/** The last N activated snapshots of one app, newest first, kept whole so rollback can reuse them. */
export class RulesHistory {
  private readonly entries: { entry: HistoryEntry; rules: AppRules }[] = [];

  constructor(private readonly limit: number) {}

  record(
    rules: AppRules,
    previous: AppRules | undefined,
    activation: { reason: ActivationReason; at: Date; ms: number },
  ): void {
    const entry = {
      version: rules.version,
      hash: rules.hash,
      activatedAt: activation.at.toISOString(),
      reason: activation.reason,
      ms: activation.ms,
      changed: diffFiles(previous, rules),
    };
    this.entries.unshift({ entry, rules });
    this.entries.length = Math.min(this.entries.length, this.limit);
  }

  find(hash: string): AppRules | undefined {
    return this.entries.find((e) => e.rules.hash === hash)?.rules;
  }

  list(): HistoryEntry[] {
    return this.entries.map((e) => e.entry);
  }
}
