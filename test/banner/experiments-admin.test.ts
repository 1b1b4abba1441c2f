import test from 'ava';
import { getResults, postBanner } from '../helpers/banner-client.js';
import { ADMIN, startTestService } from '../helpers/start-test-service.js';

interface Listed {
  experimentId: string;
  status: string;
  trafficAllocation: number;
  users: number;
  startedAt: string | null;
  hashVersion: number;
  primaryMetric: string | null;
}

test('GET /admin/apps/:app/experiments lists every experiment with status, traffic, users and start', async (t) => {
  const s = await startTestService(t, { env: { OFFERD_STORE: 'memory' } });
  const before = Date.now();
  for (let i = 0; i < 12; i++) {
    const res = await postBanner(s, { userId: `fan-${i}`, offerId: '1', activeChamp: 'ahri' });
    t.is(res.body.kibotuMetadata.experimentId, 'champion-spotlight');
  }
  t.is((await s.fetch('/admin/apps/demo/experiments')).status, 401);
  t.is((await s.fetch('/admin/apps/nope/experiments', { headers: ADMIN })).status, 404);
  const res = await s.fetch('/admin/apps/demo/experiments', { headers: ADMIN });
  t.is(res.status, 200);
  const body = (await res.json()) as { experiments: Listed[] };
  t.deepEqual(
    body.experiments.map((e) => [e.experimentId, e.status, e.trafficAllocation, e.users]),
    [
      ['payer-upsell', 'running', 100, 0],
      ['level-up-first-offer', 'running', 50, 0],
      ['champion-spotlight', 'running', 100, 12],
      ['winter-event', 'paused', 100, 0],
      ['autumn-colors', 'stopped', 100, 0],
    ],
  );
  const spotlight = body.experiments[2];
  t.true(Date.parse(spotlight?.startedAt ?? '') >= before - 1000, 'started at its first assignment');
  t.like(spotlight, { hashVersion: 1, primaryMetric: 'SpecialOfferPopupPurchased' });
  t.is(body.experiments[0]?.startedAt, null, 'nobody entered yet');
});

test('240 sequential users in champion-spotlight: the results carry the split check, intervals and no false alarm', async (t) => {
  const s = await startTestService(t, { env: { OFFERD_STORE: 'memory' } });
  for (let i = 1; i <= 240; i++)
    await postBanner(s, { userId: `player-${i}`, offerId: '1', activeChamp: 'ahri' });
  const res = await getResults(s, 'champion-spotlight');
  t.is(res.status, 200);
  const body = res.body as unknown as {
    users: number;
    sampleRatio: { mismatch: boolean; pValue: number; counts: { users: number; expected: number }[] };
    variations: { variationId: number; users: number; verdict: string | null }[];
    timeline: {
      days: string[];
      variations: { variationId: number; enrolledBefore: number; enrolled: number[] }[];
    };
  };
  t.is(body.users, 240);
  t.deepEqual(
    body.sampleRatio.counts.map((c) => c.expected),
    [48, 192],
  );
  t.is(
    body.sampleRatio.counts.reduce((n, c) => n + c.users, 0),
    240,
  );
  t.false(body.sampleRatio.mismatch, `p ${body.sampleRatio.pValue}`);
  t.deepEqual(
    body.variations.map((v) => v.verdict),
    [null, 'inconclusive'],
    'no conversions tracked: nothing to call',
  );
  // Everyone enrolled today (UTC): one day, each variation's new users equal to its users.
  t.deepEqual(body.timeline.days, [new Date().toISOString().slice(0, 10)]);
  t.deepEqual(
    body.timeline.variations,
    body.variations.map((v) => ({ variationId: v.variationId, enrolledBefore: 0, enrolled: [v.users] })),
  );
});
