/**
 * An event's `time` must be a moment a Date can hold: past it (1e20, 1.7e308) the value
 * was stored as is, and on PostgreSQL its bigint column refused the whole batch.
 */
import test from 'ava';
import { DEMO_KEY } from '../helpers/banner-client.js';
import { usePostgres } from '../helpers/postgres-server.js';
import { ADMIN, startTestService, type TestService } from '../helpers/start-test-service.js';
import { post } from '../helpers/vip-banner.js';

const server = usePostgres(test);
const sdk = { Authorization: DEMO_KEY };

async function trackWithBadTimes(t: import('ava').ExecutionContext, s: TestService): Promise<void> {
  for (const time of [1e20, 1.7e308, 8.64e15 + 1]) {
    const user = `time-${time}`;
    const { status, body } = await post(
      s,
      '/track?ip=0&verbose=1',
      [
        { event: 'Good', properties: { distinct_id: user, $insert_id: `good-${time}` } },
        { event: 'Bad', properties: { distinct_id: user, time } },
      ],
      sdk,
    );
    t.is(status, 200, `${time}: ${JSON.stringify(body)}`);
    t.like(body, { status: 0, failed_records: [{ index: 1, field: 'properties.time' }] }, String(time));
    const explained = await post(
      s,
      '/admin/apps/demo/explain',
      { api: 'banner', user, request: { userId: user, offerId: '1' } },
      ADMIN,
    );
    t.is(explained.status, 200, String(time));
    t.deepEqual(
      explained.body.why.facts.user.eventCounts,
      { Good: 1 },
      `${time}: the good event is stored alone`,
    );
  }
}

test('lowdb: an event time past what a Date holds is rejected alone; the batch’s other events are stored', async (t) => {
  await trackWithBadTimes(t, await startTestService(t));
});

test('PostgreSQL: an event time past what a Date holds is rejected alone; the batch’s other events are stored', async (t) => {
  const s = await startTestService(t, {
    env: { OFFERD_STORE: 'postgres', DATABASE_URL: await server().freshDatabase('tracktime') },
  });
  await trackWithBadTimes(t, s);
});
