import type { Logger } from 'pino';
import { createCaseRunners } from '../../apis.js';
import type { OfferdConfig } from '../../config/config-types.js';
import { isPostgresStore } from '../postgres/postgres-store.js';
import type { Store } from '../store.js';
import { type DecisionLog, DecisionSampler } from './decision-log.js';
import { DocumentDecisionLog } from './decision-log-document.js';
import { PostgresDecisionLog } from './decision-log-postgres.js';
import { DecisionRecorder } from './decision-recorder.js';

/** The decision log in the store the service runs on: its PostgreSQL pool, else a lowdb file next to the others. */
export async function openDecisionLog(config: OfferdConfig, store: Store): Promise<DecisionLog> {
  const max = config.decisionLog.maxPerApi;
  if (isPostgresStore(store)) return new PostgresDecisionLog(store.pool, max);
  return DocumentDecisionLog.open(store.kind === 'memory' ? null : config.dataDir, max);
}

/** The serving side's recorder on `log`; undefined when sampling is off (nothing is recorded then). */
export function decisionRecorder(
  config: OfferdConfig,
  log: DecisionLog,
  store: Store,
  logger: Pick<Logger, 'warn' | 'info'>,
): DecisionRecorder | undefined {
  if (config.decisionLog.sampleRate <= 0) return undefined;
  return new DecisionRecorder(
    log,
    new DecisionSampler(config.decisionLog),
    store,
    createCaseRunners(),
    logger,
  );
}
