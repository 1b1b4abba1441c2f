import { createHmac } from 'node:crypto';
import test from 'ava';
import pg from 'pg';
import { PostgresDecisionLog } from '../../src/store/decisions/decision-log-postgres.js';
import { usePostgres } from '../helpers/postgres-server.js';
import { ADMIN, startTestService } from '../helpers/start-test-service.js';

const server = usePostgres(test);

test('PostgreSQL: served offerwall rankings are recorded with hashed ids and the snapshot to replay them, and replay unchanged under the same rules', async (t) => {
  const url = await server().freshDatabase('decisions');
  const key = 'decision-log-test-key';
  const s = await startTestService(t, {
    env: {
      OFFERD_STORE: 'postgres',
      DATABASE_URL: url,
      OFFERD_DECISION_LOG_SAMPLE_RATE: '1',
      OFFERD_DECISION_LOG_KEY: key,
    },
  });
  const served = new Map<string, number[]>();
  for (const [uid, ip] of [
    ['pg-player-1', '8.8.8.8'],
    ['pg-player-2', '5.9.0.1'],
  ] as const) {
    const res = await s.fetch(`/api/v1/users/${uid}/personalized?wall=1001&numoffers=4&ip=${ip}`);
    t.is(res.status, 200);
    const body = (await res.json()) as { offers: { offer_id: number }[] };
    served.set(
      uid,
      body.offers.map((o) => o.offer_id),
    );
  }

  // A decision is recorded after its answer is sent (a sampled log, never acknowledged):
  // wait until both are in before replaying them.
  const pool = new pg.Pool({ connectionString: url });
  t.teardown(() => pool.end());
  const log = new PostgresDecisionLog(pool, 100);
  for (let i = 0; i < 100 && (await log.list('demo', 'offerwall')).length < 2; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }

  // The impact route on this store: the same rules replay every recorded ranking unchanged.
  const res = await s.fetch('/admin/apps/demo/impact', {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ source: 'pending', api: 'offerwall' }),
  });
  const report = (await res.json()) as { byApi: Record<string, { requests: number; changed: number }> };
  t.is(res.status, 200);
  t.like(report.byApi.offerwall, { requests: 2, changed: 0 });

  await s.stop();
  const recorded = await log.list('demo', 'offerwall');
  t.is(recorded.length, 2);
  for (const [uid, offerIds] of served) {
    const hashed = createHmac('sha256', key).update(uid).digest('hex');
    const d = recorded.find((r) => r.userId === hashed);
    if (!d) return t.fail(`no decision recorded for ${uid}`);
    t.false(JSON.stringify(d).includes(uid), 'no raw user id in the log');
    t.deepEqual(d.outcome.offerIds, offerIds, 'the outcome is what was served');
    t.like(d.request, { uid: hashed, wall: '1001', numoffers: '4' });
    t.is(d.snapshot.wallId, 1001);
    t.deepEqual(d.snapshot.records['offerwall.progress'], [], 'a first visit is recorded too');
  }
});
