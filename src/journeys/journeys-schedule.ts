import { Cron } from 'croner';
import type { Logger } from 'pino';

export interface ScheduledApp {
  appId: string;
  /** Cron expression; null: no schedule. */
  schedule: string | null;
}

/**
 * Runs each app's offer generation on its cron schedule. A run still going when the
 * next is due makes that one skip (croner's `protect`); stop() waits for runs in flight
 * so the store is not closed under them.
 */
export class JourneysSchedule {
  private readonly jobs: Cron[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  /**
   * `hasRules`: whether the app serves Journeys rules now. An app without them is still put on
   * its schedule (a reload may bring some) but said to be skipped: the log said "journeys
   * generation scheduled" for every app, the default hourly schedule applying to apps with no
   * journeys at all, and each run then did nothing.
   */
  constructor(
    private readonly apps: readonly ScheduledApp[],
    private readonly run: (appId: string) => Promise<unknown>,
    private readonly logger: Logger,
    private readonly hasRules: (appId: string) => boolean = () => true,
  ) {}

  start(): void {
    for (const { appId, schedule } of this.apps) {
      if (!schedule) continue;
      const job = new Cron(schedule, { protect: true }, () => this.fire(appId));
      this.jobs.push(job);
      const next = job.nextRun()?.toISOString();
      if (this.hasRules(appId)) this.logger.info({ appId, schedule, next }, 'journeys generation scheduled');
      else
        this.logger.info(
          { appId, schedule },
          'journeys generation skips this app: it has no Journeys rules (runs resume once a reload brings some)',
        );
    }
  }

  private async fire(appId: string): Promise<void> {
    if (!this.hasRules(appId)) {
      this.logger.debug({ appId }, 'scheduled journeys generation skipped: the app has no Journeys rules');
      return;
    }
    const running = this.run(appId).catch((err: unknown) => {
      this.logger.error({ err, appId }, 'scheduled journeys generation failed');
    });
    this.inFlight.add(running);
    try {
      await running;
    } finally {
      this.inFlight.delete(running);
    }
  }

  async stop(): Promise<void> {
    for (const job of this.jobs) job.stop();
    this.jobs.length = 0;
    await Promise.all(this.inFlight);
  }
}
