import { cp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import test from 'ava';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createAppLoader, openDocumentStore } from '../../src/apis.js';
import type { NewEvent } from '../../src/journeys/domain/journey-types.js';
import { runJourneysGeneration } from '../../src/journeys/journeys-generation.js';
import { createJourneysMetrics } from '../../src/journeys/journeys-metrics.js';
import { JourneysSchedule } from '../../src/journeys/journeys-schedule.js';
import { JOURNEYS_SHARDS } from '../../src/journeys/store/journeys-document-store.js';
import { readAppFiles } from '../../src/rules/app-loader.js';
import type { AppRules } from '../../src/rules/app-rules.js';
import type { DocumentStore } from '../../src/store/document/document-store.js';
import { DAY, plays, startJourneysService } from '../helpers/journeys-service.js';
import { silentLogger } from '../helpers/silent-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const NOW = new Date('2026-11-20T12:00:00.000Z');

async function demoRules(): Promise<AppRules> {
  const loaded = createAppLoader().load(await readAppFiles('rules', 'demo'));
  if (!loaded.ok) throw new Error('demo rules do not load');
  return loaded.rules;
}

/** `n` users in the test partition: a mix of new, churned, inactive and whale-ish players. */
async function seed(store: DocumentStore, n: number): Promise<void> {
  const p = { appId: 'demo', environment: 'test' as const };
  let id = 0;
  const newId = () => `id-${++id}`;
  // Each user's events arrive when they happened (a profile last updated 40 days ago is
  // churned; one created today by a backdated import is not: docs/user-journeys.md).
  const byDaysAgo = new Map<number, NewEvent[]>();
  for (let i = 0; i < n; i++) {
    const daysAgo = [0, 40, 61, 20][i % 4] ?? 0;
    const at = new Date(NOW.getTime() - daysAgo * DAY - 60_000);
    const list = byDaysAgo.get(daysAgo) ?? [];
    list.push({
      id: newId(),
      externalId: `u${i}`,
      clientEventId: null,
      category: 'GAME_PLAY',
      eventType: 'spin',
      points: 10,
      occurredAt: at.toISOString(),
      metadata: {},
    });
    byDaysAgo.set(daysAgo, list);
  }
  for (const [daysAgo, events] of byDaysAgo) {
    const at = new Date(NOW.getTime() - daysAgo * DAY - 60_000);
    for (let i = 0; i < events.length; i += 5000) {
      await store.journeys.appendEvents(p, events.slice(i, i + 5000), at, newId);
    }
  }
}

test('one log line per run: users scanned, offers created and expired per type', async (t) => {
  const store = await openDocumentStore(null);
  await seed(store, 8);
  const lines: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const registry = new Registry();
  const report = await runJourneysGeneration(
    { store: store.journeys, now: () => NOW, logger, metrics: createJourneysMetrics(registry) },
    { rules: await demoRules(), trigger: 'cli' },
  );
  t.is(lines.length, 1);
  const line = JSON.parse(lines[0] ?? '{}');
  t.is(line.msg, 'journeys offer generation finished');
  const { usersPerSecond, waits, ...logged } = line.journeysGeneration;
  t.deepEqual(logged, report);
  // Where the time went, per environment: waiting on reads, waiting on writes (the rest is evaluation).
  t.deepEqual(Object.keys(waits).sort(), ['live', 'test']);
  for (const w of Object.values(waits) as Record<string, number>[]) {
    t.deepEqual(Object.keys(w).sort(), ['readWaitMs', 'writeWaitMs']);
    t.true(Object.values(w).every((ms) => Number.isInteger(ms) && ms >= 0 && ms <= report.durationMs + 1));
  }
  t.is(usersPerSecond, Math.round((report.totals.usersScanned / Math.max(1, report.durationMs)) * 1000));
  const test_ = report.environments.find((e) => e.environment === 'test');
  t.like(test_, {
    usersScanned: 8,
    usersInactive: 2,
    offersCreated: {
      welcome_free_play: 2,
      welcome_bonus: 2,
      win_back_play: 2,
      return_bonus: 2,
      retention_play: 2,
    },
  });
  t.is(report.trigger, 'cli');
  t.regex(await registry.metrics(), /offerd_journeys_generation_runs_total\{app="demo",trigger="cli"\} 1/);
});

test('10,000 users: one run creates every due offer, and a second run creates nothing', async (t) => {
  const store = await openDocumentStore(null);
  await seed(store, 10_000);
  const rules = await demoRules();
  const started = performance.now();
  const first = await runJourneysGeneration({ store: store.journeys, now: () => NOW }, { rules });
  const ms = performance.now() - started;
  t.is(first.totals.usersScanned, 10_000);
  t.is(first.totals.offersCreated, 2500 * 2 + 2500 * 2 + 2500);
  t.log(`10,000 users in ${Math.round(ms)} ms`);
  const second = await runJourneysGeneration({ store: store.journeys, now: () => NOW }, { rules });
  t.is(second.totals.offersCreated, 0);
  t.is(second.environments.find((e) => e.environment === 'test')?.usersAtLimit, 0);
});

test('on lowdb a run writes each shard file once, however many offers it creates', async (t) => {
  // Every write rewrites a whole shard: a run that wrote per batch of offers rewrote the
  // whole store once per batch, so its writes grew with users × offers (issue 17).
  const store = await openDocumentStore(await tempDir(t, 'offerd-generation-'));
  t.teardown(() => store.close());
  await seed(store, 6000);
  const writes = () => store.journeys.files.reduce((n, f) => n + f.writes, 0);
  const before = writes();
  const run = await runJourneysGeneration(
    { store: store.journeys, now: () => NOW },
    { rules: await demoRules() },
  );
  t.is(run.totals.offersCreated, 1500 * 2 + 1500 * 2 + 1500, 'more offers than one PostgreSQL batch');
  t.true(writes() - before <= JOURNEYS_SHARDS, `${writes() - before} shard writes`);
  await store.close();
  const reopened = await openDocumentStore(store.dir);
  t.teardown(() => reopened.close());
  t.is((await reopened.journeys.userOffers({ appId: 'demo', environment: 'test' }, 'u0')).length, 2);
});

test('the service keeps answering while a generation run is going', async (t) => {
  const s = await startJourneysService(t);
  for (let i = 0; i < 2000; i += 100) {
    const batch = Array.from({ length: 100 }, (_, k) => plays(`busy${i + k}`, 1, s.clock)[0]);
    await s.api('POST', '/track', { body: batch });
  }
  const order: string[] = [];
  const run = s.generate('test').then(() => order.push('generate'));
  await new Promise((resolve) => setTimeout(resolve, 5));
  const health = s.fetch('/healthz').then(() => order.push('healthz'));
  await Promise.all([run, health]);
  t.deepEqual(order, ['healthz', 'generate']);
});

test('the schedule runs the job on its cron, and stop() waits for a run in flight', async (t) => {
  let runs = 0;
  let finished = 0;
  const schedule = new JourneysSchedule(
    [
      { appId: 'demo', schedule: '* * * * * *' },
      { appId: 'quiet', schedule: null },
    ],
    async (appId) => {
      t.is(appId, 'demo');
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 300));
      finished++;
    },
    silentLogger,
  );
  schedule.start();
  while (runs === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  await schedule.stop();
  t.is(finished, runs, 'stop resolved only after the run in flight finished');
  const after = runs;
  await new Promise((resolve) => setTimeout(resolve, 1200));
  t.is(runs, after, 'no run after stop');
});

/** The document store's journeys, with small slow writes that count how many overlap. */
async function slowWrites(failOnCall?: number) {
  const store = await openDocumentStore(null);
  await seed(store, 2000);
  const inner = store.journeys;
  const seen = { calls: 0, inFlight: 0, maxInFlight: 0 };
  const journeys: typeof inner = Object.create(inner);
  Object.defineProperty(journeys, 'offersPerCreate', { value: 100 });
  journeys.createOffers = async (...args) => {
    const call = ++seen.calls;
    seen.maxInFlight = Math.max(seen.maxInFlight, ++seen.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (call === failOnCall) throw new Error(`write ${call} failed`);
      return await inner.createOffers(...args);
    } finally {
      seen.inFlight--;
    }
  };
  return { journeys, seen };
}

test('writes overlap planning, at most two in flight, and every planned offer is written', async (t) => {
  const { journeys, seen } = await slowWrites();
  const run = await runJourneysGeneration(
    { store: journeys, now: () => NOW },
    { rules: await demoRules(), batchSize: 100 },
  );
  t.is(run.totals.offersCreated, 500 * 2 + 500 * 2 + 500);
  t.true(seen.calls > 2, `${seen.calls} writes`);
  t.is(seen.maxInFlight, 2);
});

test('a failed write fails the run, whichever of the two in flight it was', async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  t.teardown(() => process.off('unhandledRejection', onUnhandled));
  for (const failOnCall of [1, 2, 3]) {
    const { journeys } = await slowWrites(failOnCall);
    await t.throwsAsync(
      runJourneysGeneration(
        { store: journeys, now: () => NOW },
        { rules: await demoRules(), batchSize: 100 },
      ),
      {
        message: `write ${failOnCall} failed`,
      },
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.deepEqual(unhandled, []);
});

// Serial: the other tests of this file, run at the same time in this process, hold the loop themselves.
test.serial(
  'a run over rules that are slow to evaluate still lets other work in every few tens of ms',
  async (t) => {
    // 600 offer rules, each on the user's own id: every user is a decision of its own, ~15 ms
    // here. A pause every 200 users held the event loop for seconds (1,500 such rules: 16 s).
    const dir = await tempDir(t, 'rules-');
    await cp('rules/demo', path.join(dir, 'demo'), { recursive: true });
    await rm(path.join(dir, 'demo', 'tests'), { recursive: true, force: true });
    const offers = Array.from(
      { length: 600 },
      (_, i) =>
        `    - offerType: many_${i}\n      priority: 1\n      conditions: { fact: user.externalId, operator: equal, value: nobody-${i} }\n      title: T\n      description: D\n      pointsValue: 1\n      expiresIn: 1d\n`,
    );
    await writeFile(
      path.join(dir, 'demo', 'many-offers.yaml'),
      `apiVersion: offerd/v1\nkind: Journeys\nversion: 1\nspec:\n  offers:\n${offers.join('')}`,
    );
    const loaded = createAppLoader().load(await readAppFiles(dir, 'demo'));
    if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
    const store = await openDocumentStore(null);
    await seed(store, 240);
    // The longest gap between ticks of a 5 ms timer, the run's end included (a loop held to
    // the end fires no tick until then: a histogram of the ticks would see nothing).
    let last = performance.now();
    let worstMs = 0;
    const ticks = setInterval(() => {
      const now = performance.now();
      worstMs = Math.max(worstMs, now - last);
      last = now;
    }, 5);
    const report = await runJourneysGeneration(
      { store: store.journeys, now: () => NOW },
      { rules: loaded.rules },
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    clearInterval(ticks);
    t.is(report.totals.usersScanned, 240);
    t.log(`worst event-loop delay ${Math.round(worstMs)} ms over a ${report.durationMs} ms run`);
    t.true(worstMs < 1000, `${Math.round(worstMs)} ms`);
  },
);
