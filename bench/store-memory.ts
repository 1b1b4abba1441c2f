/**
 * The embedded store's live heap per API part, on a world seeded by `npm run bench`
 * (BENCH_WORKDIR=<dir> keeps it), in this process: each part is opened in turn and the
 * heap measured after a full GC, so the figure is what that part's records and indexes keep.
 *
 *   node --expose-gc --import tsx bench/store-memory.ts <workdir>
 */
import path from 'node:path';
import { STORE_ADAPTERS } from '../src/apis.js';

const [workdir] = process.argv.slice(2);
if (!workdir) throw new Error('usage: node --expose-gc --import tsx bench/store-memory.ts <bench workdir>');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run node with --expose-gc');
const dataDir = path.join(workdir, 'data');
const mb = (bytes: number) => Math.round(bytes / 1e6);

function settledHeap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const kept: unknown[] = [];
let before = settledHeap();
for (const adapters of STORE_ADAPTERS) {
  const started = performance.now();
  kept.push(await adapters.openDocument(dataDir));
  const ms = Math.round(performance.now() - started);
  const after = settledHeap();
  console.log(`${adapters.name}: ${mb(after - before)} MB of heap, opened in ${ms} ms`);
  before = after;
}
const m = process.memoryUsage();
console.log(
  `all open: rss ${mb(m.rss)} MB, heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)} MB, external ${mb(m.external)} MB, array buffers ${mb(m.arrayBuffers)} MB`,
);
