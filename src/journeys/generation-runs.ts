import type { GenerationReport } from './journeys-generation.js';

/**
 * The last reports of the generation job per app, newest first, as this instance ran
 * them (schedule or admin trigger): what the console's operations page lists. Bounded
 * by a count per app, so a job that runs every minute keeps the same memory.
 */
export class GenerationRuns {
  private readonly byApp = new Map<string, GenerationReport[]>();

  constructor(private readonly keep = 20) {}

  record(report: GenerationReport): void {
    const runs = this.byApp.get(report.appId) ?? [];
    runs.unshift(report);
    runs.length = Math.min(runs.length, this.keep);
    this.byApp.set(report.appId, runs);
  }

  list(appId: string): readonly GenerationReport[] {
    return this.byApp.get(appId) ?? [];
  }
}
