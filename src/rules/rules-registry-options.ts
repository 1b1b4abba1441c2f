import type { Logger } from 'pino';
import type { AppLoader } from './app-loader.js';
import type { AppRules } from './app-rules.js';
import type { Problem } from './problems.js';
import type { RequiredKind } from './required-kinds.js';
import type { ReloadObserver } from './rules-status.js';

export interface RulesRegistryOptions {
  rulesDir: string;
  loader: AppLoader;
  logger: Logger;
  historySize?: number;
  observe?: ReloadObserver;
  now?: () => Date;
  /** Apps the config declares: always loaded (and reported) even when their directory is missing. */
  apps?: readonly string[];
  /**
   * The kinds an app's APIs need: a snapshot without one of them is refused like an
   * invalid file (docs/rules.md: "A broken change"). None when absent.
   */
  requiredKinds?: (appId: string) => readonly RequiredKind[];
  /**
   * A last check of a valid snapshot before it may go live (the app's fixtures, see
   * fixtures-gate.ts): problems as `file:line message`, refused like invalid files.
   */
  gate?: (appId: string, rules: AppRules) => Promise<string[]>;
  /**
   * Warnings about what a reload changes against the snapshot it replaces (a running
   * experiment's weights, banner/rules/weight-change.ts): in the reload's outcome and among
   * the app's warnings until the next activation. They never block; one that throws is logged.
   */
  changeWarnings?: (before: AppRules | undefined, after: AppRules) => Promise<Problem[]>;
}
