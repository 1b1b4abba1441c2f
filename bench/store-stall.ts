/**
 * Event-loop stall per embedded-store write at full size: each probe makes one real
 * write through the store port (which rewrites the collection file holding it, or appends
 * to a log) while
 * monitorEventLoopDelay samples every millisecond; the worst delay seen during the
 * write is how long every other request of the process would have waited.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { DocumentStore } from '../src/store/document/document-store.js';
import { APP, WALL } from './bench-env.js';
import { uid } from './seed.js';

export interface StallResult {
  write: string;
  file: string;
  fileMb: number;
  writes: number;
  /** Worst event-loop delay during one write. */
  maxStallMs: number;
  meanStallMs: number;
  meanWriteMs: number;
}

interface Probe {
  write: string;
  file: string;
  run(n: number): Promise<unknown>;
}

function probes(store: DocumentStore): Probe[] {
  const p = { appId: APP, environment: 'test' as const };
  const now = () => new Date();
  return [
    {
      write: 'journeys event (an append to the events log)',
      file: 'journeys-events.jsonl',
      run: (n) =>
        store.journeys.appendEvents(
          p,
          [
            {
              id: `stall-${n}`,
              externalId: uid(n),
              clientEventId: null,
              category: 'GAME_PLAY',
              eventType: 'spin',
              points: 1,
              occurredAt: now().toISOString(),
              metadata: {},
            },
          ],
          now(),
          () => `stall-user-${n}`,
        ),
    },
    {
      write: 'journeys user upsert (one user shard)',
      file: 'journeys-00.json',
      run: (n) =>
        store.journeys.upsertUser(p, { externalId: uid(n), displayName: `Player ${n}` }, now(), () => 'x'),
    },
    {
      write: 'offerwall click (one progress shard)',
      file: 'offerwall-progress-00.json',
      run: (n) =>
        store.offerwall.recordClick({
          ...{ appId: APP, wallId: WALL, uid: uid(n * 10), offerId: 30_001, category: 'Games', offerType: 2 },
          sid3: null,
          at: now().toISOString(),
        }),
    },
    {
      write: 'banner track (one user shard + one event shard)',
      file: 'banner-users-00.json',
      run: (n) =>
        store.banner.track(
          APP,
          [{ userId: uid(n), name: 'BenchStall', time: null, receivedAt: now().toISOString() }].map((e) => ({
            ...e,
            renderId: null,
            experimentId: null,
            variationId: null,
            value: null,
          })),
        ),
    },
  ];
}

/** Runs `writes` sequential writes of each probe and reports the stall they caused. */
export async function measureStalls(store: DocumentStore, writes = 5): Promise<StallResult[]> {
  const results: StallResult[] = [];
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  for (const probe of probes(store)) {
    const stalls: number[] = [];
    const times: number[] = [];
    for (let n = 0; n < writes; n++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      histogram.reset();
      const started = performance.now();
      await probe.run(n + 1);
      times.push(performance.now() - started);
      stalls.push(histogram.max / 1e6);
    }
    const file = path.join(store.dir ?? '', probe.file);
    results.push({
      write: probe.write,
      file: probe.file,
      fileMb: Math.round(statSync(file).size / 1e5) / 10,
      writes,
      maxStallMs: round(Math.max(...stalls)),
      meanStallMs: round(stalls.reduce((a, b) => a + b, 0) / writes),
      meanWriteMs: round(times.reduce((a, b) => a + b, 0) / writes),
    });
  }
  histogram.disable();
  return results;
}

const round = (n: number) => Math.round(n * 10) / 10;
