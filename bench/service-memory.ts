/**
 * The service's memory on a world seeded by `npm run bench` (BENCH_WORKDIR=<dir> keeps it),
 * without the minutes of seeding and the other APIs' loads:
 *
 *   npm run build && tsx bench/service-memory.ts <workdir> [seconds of banner load, default 20]
 *
 * Copies the world's data dir (the service writes render counts into it), starts the built
 * service the way `npm start` does (its node options included), and prints RSS and V8 heap
 * when ready, the peak RSS of the start (Linux), and after a banner load, the one API whose
 * requests write (BENCH_APIS names others, loaded in turn), with RSS by kind of mapping. Figures for the lowdb store's memory budget (RSS < 500 MB at 100,000 users).
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { APIS } from './api-loads.js';
import { mappings } from './memory-mappings.js';
import { runLoad, startNodeOptions, startService } from './processes.js';

const [workdir, secondsArg] = process.argv.slice(2);
if (!workdir) throw new Error('usage: tsx bench/service-memory.ts <bench workdir> [seconds]');
const seconds = Number(secondsArg ?? 20);

async function memory(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const mb = (metric: string) =>
    Math.round(Number(new RegExp(`^offerd_${metric} (\\S+)$`, 'm').exec(text)?.[1]) / 1e6);
  return `rss ${mb('process_resident_memory_bytes')} MB, heap used ${mb('nodejs_heap_size_used_bytes')} of ${mb('nodejs_heap_size_total_bytes')} MB, external ${mb('nodejs_external_memory_bytes')} MB`;
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'offerd-memory-'));
await cp(path.join(workdir, 'data'), dataDir, { recursive: true });
const started = performance.now();
const service = await startService({
  configFile: path.join(workdir, 'offerd.yaml'),
  rulesDir: path.join(workdir, 'rules'),
  dataDir,
});
try {
  console.log(['node', ...startNodeOptions(), 'dist/main.js'].join(' '));
  console.log(`ready in ${Math.round(performance.now() - started)} ms: ${await memory(service.url)}`);
  // VmHWM: the most RSS the process has had, i.e. while it loaded the store.
  const status = await readFile(`/proc/${service.process.pid}/status`, 'utf8').catch(() => '');
  const peak = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  if (peak) console.log(`peak rss so far ${Math.round(Number(peak) / 1000)} MB`);
  console.log(`mappings: ${await mappings(service.process.pid as number)}`);
  // BENCH_APIS=banner,offerwall,journeys: each API's load in turn (default: banner, the one whose requests write).
  for (const name of process.env.BENCH_APIS?.split(',') ?? ['banner']) {
    const api = APIS.find((a) => a.name === name);
    if (!api) throw new Error(`no load named ${name}`);
    const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
    const load = await runLoad({ ...api, url: service.url, users: 100_000, connections, seconds });
    console.log(`${name} load: ${Math.round(load.rps)} req/s, p99 ${load.p99} ms, non-2xx ${load.non2xx}`);
    console.log(`after ${seconds} s of ${name} load: ${await memory(service.url)}`);
    console.log(`mappings: ${await mappings(service.process.pid as number)}`);
  }
} finally {
  await service.stop();
  await rm(dataDir, { recursive: true, force: true });
}
