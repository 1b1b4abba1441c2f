/**
 * The journeys generation job over many users: `npx tsx bench/journeys-generation.ts [users] [memory|lowdb]`
 * (default 100000, memory). Seeds users with 3 events each (a mix of new, at-risk,
 * churned and inactive players), then times two runs: the first creates offers, the
 * second finds nothing to do. Prints one JSON line per run (wall and CPU milliseconds).
 */

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createAppLoader, openDocumentStore } from '../src/apis.js';
import type { NewEvent } from '../src/journeys/domain/journey-types.js';
import { runJourneysGeneration } from '../src/journeys/journeys-generation.js';
import { readAppFiles } from '../src/rules/app-loader.js';

const users = Number(process.argv[2] ?? 100_000);
const kind = process.argv[3] === 'lowdb' ? 'lowdb' : 'memory';
const DAY = 86_400_000;
const now = new Date('2026-11-20T12:00:00.000Z');

const loaded = createAppLoader().load(await readAppFiles('rules', 'demo'));
if (!loaded.ok) throw new Error('demo rules do not load');
const dir = kind === 'lowdb' ? await mkdtemp(path.join(os.tmpdir(), 'offerd-bench-')) : null;
const store = await openDocumentStore(dir);
const p = { appId: 'demo', environment: 'test' as const };
let id = 0;
const newId = () => `id-${++id}`;

const seedStarted = performance.now();
for (let start = 0; start < users; start += 10_000) {
  const events: NewEvent[] = [];
  for (let i = start; i < Math.min(users, start + 10_000); i++) {
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
console.log(JSON.stringify({ users, store: kind, seedMs: Math.round(performance.now() - seedStarted) }));

for (const run of ['first', 'second']) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const report = await runJourneysGeneration(
    { store: store.journeys, now: () => now },
    { rules: loaded.rules, environments: ['test'] },
  );
  const used = process.cpuUsage(cpu);
  const env = report.environments[0];
  console.log(
    JSON.stringify({
      run,
      ms: Math.round(performance.now() - started),
      // CPU time of this process (user + system): steadier than ms on a shared host.
      cpuMs: Math.round((used.user + used.system) / 1000),
      usersScanned: env?.usersScanned,
      usersInactive: env?.usersInactive,
      usersAtLimit: env?.usersAtLimit,
      offersCreated: env?.offersCreated,
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    }),
  );
}
await store.close();
if (dir) await rm(dir, { recursive: true, force: true });
