import type { Logger } from 'pino';
import type { AppFiles, AppLoader } from './app-loader.js';
import type { AppRules } from './app-rules.js';
import { formatProblem, type Problem } from './problems.js';
import { missingKindProblems, type RequiredKind } from './required-kinds.js';

/** A snapshot that may go live, or why not (`file:line message` each). */
export type CheckResult = { ok: true; rules: AppRules } | { ok: false; problems: string[] };

/** What the checks need of the registry's options (rules-registry.ts documents each). */
export interface SnapshotCheckOptions {
  rulesDir: string;
  loader: AppLoader;
  logger: Logger;
  requiredKinds?: (appId: string) => readonly RequiredKind[];
  gate?: (appId: string, rules: AppRules) => Promise<string[]>;
  changeWarnings?: (before: AppRules | undefined, after: AppRules) => Promise<Problem[]>;
}

/**
 * What the rules registry asks of a set of files before and after it goes live: whether
 * it may (valid files, the kinds the app's APIs need, the fixtures gate) and what to warn
 * of (lints, changes against the snapshot it replaces). A check that throws refuses the
 * snapshot; a warning source that throws costs its warnings, never the activation.
 */
export class SnapshotChecks {
  constructor(
    private readonly options: SnapshotCheckOptions,
    private readonly now: () => Date,
  ) {}

  /**
   * Parses the changed files ahead of `check`, a turn of the event loop between files (see
   * AppLoader.parseAhead). A failure here only leaves the parsing to `check`.
   */
  async prepare(files: AppFiles): Promise<void> {
    try {
      await this.options.loader.parseAhead(files);
    } catch {
      // check() parses again and reports.
    }
  }

  /**
   * Loads the files and decides whether they may go live: every file valid and every
   * kind the app's APIs need present. A loader that throws (it should report, not throw)
   * refuses the snapshot like any other problem instead of escaping the reload.
   */
  check(files: AppFiles, current: AppRules | undefined): CheckResult {
    let result: ReturnType<AppLoader['load']>;
    try {
      result = this.options.loader.load(files, this.now());
    } catch (err) {
      const where = `${this.options.rulesDir}/${files.appId}`;
      return { ok: false, problems: [`${where}: loading failed unexpectedly: ${(err as Error).message}`] };
    }
    if (!result.ok) return { ok: false, problems: result.problems.map(formatProblem) };
    const required = this.options.requiredKinds?.(files.appId) ?? [];
    const missing = missingKindProblems(files, result.rules, required, current, this.options.rulesDir);
    return missing.length > 0 ? { ok: false, problems: missing } : { ok: true, rules: result.rules };
  }

  /** A valid snapshot through the gate, when there is one; a gate that throws refuses it. */
  async gated(result: CheckResult): Promise<CheckResult> {
    const gate = this.options.gate;
    if (!result.ok || !gate) return result;
    let problems: string[];
    try {
      problems = await gate(result.rules.appId, result.rules);
    } catch (err) {
      problems = [`${result.rules.appId}: the activation gate failed: ${(err as Error).message}`];
    }
    return problems.length > 0 ? { ok: false, problems } : result;
  }

  /** The lints of `rules` (rules that can never fire...). */
  lints(rules: AppRules): Problem[] {
    try {
      return this.options.loader.warnings(rules);
    } catch (err) {
      this.options.logger.warn({ appId: rules.appId, err }, 'linting the rules failed; no warnings shown');
      return [];
    }
  }

  /** What a reload from `before` to `after` changes that its author should know. */
  async changeWarnings(before: AppRules | undefined, after: AppRules): Promise<Problem[]> {
    const check = this.options.changeWarnings;
    if (!check) return [];
    try {
      return await check(before, after);
    } catch (err) {
      this.options.logger.warn(
        { appId: after.appId, err },
        'checking what the reload changes failed; no warnings',
      );
      return [];
    }
  }
}
