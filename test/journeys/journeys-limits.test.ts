import test, { type ExecutionContext } from 'ava';
import { type JourneysTestService, plays, startJourneysService } from '../helpers/journeys-service.js';
import { copyOfShippedRules, writeRuleFile } from '../helpers/rules-fixture.js';

const HOUR = 3_600_000;

/** Four more offer types every user matches, with short expiries and no cooldown: pressure on the limits. */
const EXTRA_OFFERS = [
  ['extra_a', '1h'],
  ['extra_b', '2h'],
  ['extra_c', '3h'],
  ['extra_d', '5h'],
]
  .map(([type, expiresIn]) =>
    [
      `    - offerType: ${type}`,
      '      priority: 50',
      '      conditions: { fact: profile.totalEvents, operator: greaterThanInclusive, value: 0 }',
      '      title: Extra',
      '      description: Extra offer',
      '      pointsValue: 5',
      `      expiresIn: ${expiresIn}`,
    ].join('\n'),
  )
  .join('\n');

async function pressured(t: ExecutionContext, store: 'memory' | 'lowdb'): Promise<JourneysTestService> {
  const rulesDir = await copyOfShippedRules(t);
  const text = `apiVersion: offerd/v1\nkind: Journeys\nversion: 1\nspec:\n  offers:\n${EXTRA_OFFERS}\n`;
  await writeRuleFile(rulesDir, 'demo', 'journeys-extra.yaml', text);
  return startJourneysService(t, { rulesDir, store });
}

const USERS = Array.from({ length: 12 }, (_, i) => `p${i}`);

async function assertLimits(
  t: ExecutionContext,
  s: JourneysTestService,
  when: string,
  users: readonly string[] = USERS,
): Promise<void> {
  for (const u of users) {
    const offers = (await s.api('GET', `/users/${u}/offers`)).body.data.offers as { offerType: string }[];
    t.true(offers.length <= 3, `${when}: ${u} has ${offers.length} active offers`);
    t.is(new Set(offers.map((o) => o.offerType)).size, offers.length, `${when}: ${u} has a duplicate type`);
  }
}

for (const store of ['memory', 'lowdb'] as const) {
  test(`never more than 3 active offers nor two of one type, over many runs (${store})`, async (t) => {
    const s = await pressured(t, store);
    await s.api('POST', '/track', { body: USERS.flatMap((u) => plays(u, 2, s.clock)) });
    let created = 0;
    for (let run = 0; run < 10; run++) {
      const report = await s.generate('test');
      t.is(report.status, 200);
      created += report.body.totals.offersCreated;
      await assertLimits(t, s, `run ${run}`);
      s.clock.advance(HOUR);
    }
    t.true(created > USERS.length * 3, 'expiries made room for new offers along the way');
  });

  test(`overlapping runs break no limit (${store})`, async (t) => {
    const s = await pressured(t, store);
    // Enough users that a run pauses (every 200 users) and the others really interleave with it.
    const many = Array.from({ length: 450 }, (_, i) => `o${i}`);
    for (let i = 0; i < many.length; i += 50) {
      await s.api('POST', '/track', { body: many.slice(i, i + 50).flatMap((u) => plays(u, 2, s.clock)) });
    }
    for (let round = 0; round < 3; round++) {
      const reports = await Promise.all([s.generate(), s.generate('test'), s.generate()]);
      t.true(reports.every((r) => r.status === 200));
      if (round === 0) {
        // The runs really overlapped: offers planned by one were refused by the store after another won.
        const rejected = reports.flatMap((r) =>
          r.body.environments.map((e: { offersRejected: Record<string, number> }) => e.offersRejected),
        );
        t.true(
          rejected.some((r) => Object.keys(r).length > 0),
          JSON.stringify(rejected),
        );
      }
      await assertLimits(t, s, `round ${round}`, many);
      s.clock.advance(2 * HOUR);
    }
  });
}
