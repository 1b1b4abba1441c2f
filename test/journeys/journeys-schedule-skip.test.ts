import test from 'ava';
import { pino } from 'pino';
import { JourneysSchedule } from '../../src/journeys/journeys-schedule.js';

test('the schedule says it skips an app without Journeys rules, and runs nothing for it', async (t) => {
  const logs: { appId?: string; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const ran: string[] = [];
  const schedule = new JourneysSchedule(
    [
      { appId: 'demo', schedule: '* * * * * *' },
      { appId: 'game2', schedule: '* * * * * *' },
    ],
    async (appId) => {
      ran.push(appId);
    },
    logger,
    (appId) => appId === 'demo',
  );
  schedule.start();
  t.teardown(() => schedule.stop());
  const started = logs.map((l) => [l.appId, l.msg]);
  t.deepEqual(started, [
    ['demo', 'journeys generation scheduled'],
    [
      'game2',
      'journeys generation skips this app: it has no Journeys rules (runs resume once a reload brings some)',
    ],
  ]);
  while (!ran.includes('demo')) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await schedule.stop();
  t.false(ran.includes('game2'));
  t.true(logs.some((l) => l.appId === 'game2' && /skipped: the app has no Journeys rules/.test(l.msg)));
});
