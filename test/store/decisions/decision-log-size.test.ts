/**
 * What the decision log holds when its records are large (a hostile client's probe: banner
 * records of 960,980 bytes, the body as sent): a request or snapshot past its cap is left
 * out and said so, and on the embedded store each app and API keeps a bounded number of
 * characters, the newest first.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import pg from 'pg';
import type { DecisionLog, RecordedDecision } from '../../../src/store/decisions/decision-log.js';
import { DocumentDecisionLog } from '../../../src/store/decisions/decision-log-document.js';
import {
  DECISIONS_MIGRATION,
  PostgresDecisionLog,
} from '../../../src/store/decisions/decision-log-postgres.js';
import { migrate } from '../../../src/store/postgres/migrate.js';
import { usePostgres } from '../../helpers/postgres-server.js';
import { tempDir } from '../../helpers/temp-dir.js';

const server = usePostgres(test);

function decision(
  n: number,
  pad: { request?: number; snapshot?: number } = {},
  api = 'banner',
): RecordedDecision {
  return {
    appId: 'demo',
    api,
    userId: `u-${n}`,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    rulesHash: 'abc123',
    request: { country: 'DE', n, ...(pad.request ? { junk: 'x'.repeat(pad.request) } : {}) },
    snapshot: {
      api: 'banner',
      userId: `u-${n}`,
      records: { visits: [{ n, ...(pad.snapshot ? { junk: 'y'.repeat(pad.snapshot) } : {}) }] },
    },
    outcome: { bannerId: 'b-1' },
  };
}

const adapters: [string, (t: ExecutionContext) => Promise<DecisionLog>][] = [
  ['memory', () => DocumentDecisionLog.open(null, 100)],
  ['lowdb', async (t) => DocumentDecisionLog.open(await tempDir(t), 100)],
  [
    'postgres',
    async (t) => {
      const pool = new pg.Pool({ connectionString: await server().freshDatabase() });
      t.teardown(() => pool.end());
      await migrate(pool, [DECISIONS_MIGRATION]);
      return new PostgresDecisionLog(pool, 100);
    },
  ],
];

for (const [name, open] of adapters) {
  test(`${name}: a request or snapshot past its cap is left out and its size said; a decision within both is kept whole`, async (t) => {
    const log = await open(t);
    await log.record(decision(1));
    await log.record(decision(2, { request: 900_000 }));
    await log.record(decision(3, { snapshot: 300_000 }));
    const [whole, noRequest, noSnapshot] = await log.list('demo', 'banner');
    t.deepEqual(whole, decision(1));
    t.deepEqual(noRequest?.request, {});
    t.deepEqual(noRequest?.snapshot, decision(2).snapshot, 'the snapshot is kept');
    t.true((noRequest?.oversize?.request ?? 0) > 900_000);
    t.is(noRequest?.oversize?.snapshot, undefined);
    t.deepEqual(noSnapshot?.request, decision(3).request, 'the request is kept');
    t.deepEqual(noSnapshot?.snapshot, { api: 'banner', userId: 'u-3', records: {} });
    t.true((noSnapshot?.oversize?.snapshot ?? 0) > 300_000);
    await log.close();
  });
}

test('lowdb: one app and API keeps at most its characters, the newest; the file and a reopen hold no more', async (t) => {
  const dir = await tempDir(t);
  const budget = 1_000_000;
  const log = await DocumentDecisionLog.open(dir, 10_000, budget);
  // 200 decisions of ~100,000 characters each (within the caps): 20 MB sent.
  for (let n = 0; n < 200; n++) await log.record(decision(n, { snapshot: 100_000 }));
  await log.record(decision(1000, {}, 'offerwall'));
  const chars = (list: RecordedDecision[]) => list.reduce((sum, d) => sum + JSON.stringify(d).length, 0);
  const kept = await log.list('demo', 'banner');
  t.true(chars(kept) <= budget, `${chars(kept)} characters kept`);
  t.true(kept.length >= 9);
  t.is(kept.at(-1)?.userId, 'u-199', 'the newest is kept');
  t.is((await log.list('demo', 'offerwall')).length, 1, 'another API keeps its own');
  await log.close();
  const { size } = await stat(path.join(dir, 'decisions.jsonl'));
  t.true(size <= 2 * budget + 200_000, `decisions.jsonl holds ${size} bytes`);
  const reopened = await DocumentDecisionLog.open(dir, 10_000, budget);
  t.deepEqual(await reopened.list('demo', 'banner'), kept);
});
