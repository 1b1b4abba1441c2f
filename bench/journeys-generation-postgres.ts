/**
 * The journeys generation job on PostgreSQL: `npx tsx bench/journeys-generation-postgres.ts [users]`
 * (default 20000). Uses DATABASE_URL when set (a fresh database is created on it), else
 * a throwaway cluster from the installed binaries, like the tests. Seeds users with 3
 * events each (the mix of bench/journeys-generation.ts), then times two runs and, inside
 * them, the store's createOffers. Prints one JSON line per step.
 */
import { createAppLoader, openPostgresStore } from '../src/apis.js';
import type { NewEvent } from '../src/journeys/domain/journey-types.js';
import { runJourneysGeneration } from '../src/journeys/journeys-generation.js';
import type { JourneysStore } from '../src/journeys/store/journeys-store.js';
import { readAppFiles } from '../src/rules/app-loader.js';
import { startPostgres } from '../test/helpers/postgres-server.js';

const users = Number(process.argv[2] ?? 20_000);
const DAY = 86_400_000;
const now = new Date('2026-11-20T12:00:00.000Z');

const loaded = createAppLoader().load(await readAppFiles('rules', 'demo'));
if (!loaded.ok) throw new Error('demo rules do not load');
const server = await startPostgres();
const store = await openPostgresStore(server.url);
const p = { appId: 'demo', environment: 'test' as const };
let id = 0;
const newId = () => `id-${++id}`;

const seedStarted = performance.now();
for (let start = 0; start < users; start += 1000) {
  const events: NewEvent[] = [];
  for (let i = start; i < Math.min(users, start + 1000); i++) {
    const daysAgo = [0.1, 20, 40, 61, 2][i % 5] ?? 0;
    for (let k = 0; k < 3; k++) {
      events.push({
        id: newId(),
        externalId: `u${i}`,
        clientEventId: null,
        category: 'GAME_PLAY',
        eventType: 'spin',
        points: 10,
        occurredAt: new Date(now.getTime() - daysAgo * DAY - k * 3_600_000).toISOString(),
        metadata: {},
      });
    }
  }
  await store.journeys.appendEvents(p, events, now, newId);
}
console.log(
  JSON.stringify({ users, store: 'postgres', seedMs: Math.round(performance.now() - seedStarted) }),
);

// The real store, with createOffers timed on the way through.
let createMs = 0;
const timed: JourneysStore = Object.create(store.journeys);
timed.createOffers = async (...args) => {
  const started = performance.now();
  try {
    return await store.journeys.createOffers(...args);
  } finally {
    createMs += performance.now() - started;
  }
};

for (const run of ['first', 'second']) {
  createMs = 0;
  const started = performance.now();
  const report = await runJourneysGeneration(
    { store: timed, now: () => now },
    { rules: loaded.rules, environments: ['test'] },
  );
  const env = report.environments[0];
  console.log(
    JSON.stringify({
      run,
      ms: Math.round(performance.now() - started),
      createOffersMs: Math.round(createMs),
      usersScanned: env?.usersScanned,
      offersCreated: env?.offersCreated,
    }),
  );
}
await store.close();
await server.stop();
