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

  constructor(
    private readonly apps: readonly ScheduledApp[],
    private readonly run: (appId: string) => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    for (const { appId, schedule } of this.apps) {
      if (!schedule) continue;
      const job = new Cron(schedule, { protect: true }, () => this.fire(appId));
      this.jobs.push(job);
      this.logger.info(
        { appId, schedule, next: job.nextRun()?.toISOString() },
        'journeys generation scheduled',
      );
    }
  }

  private async fire(appId: string): Promise<void> {
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
