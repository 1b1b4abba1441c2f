/**
 * The service's memory on a world seeded by `npm run bench` (BENCH_WORKDIR=<dir> keeps it),
 * without the minutes of seeding and the other APIs' loads:
 *
 *   npm run build && tsx bench/service-memory.ts <workdir> [seconds of banner load, default 20]
 *
 * Copies the world's data dir (the service writes render counts into it), starts the built
 * service the way `npm start` does (its node options included), and prints RSS and V8 heap
 * when ready, the peak RSS of the start (Linux), and after a banner load, the one API whose
 * requests write. Figures for the lowdb store's memory budget (RSS < 500 MB at 100,000 users).
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { APIS } from './api-loads.js';
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

/**
 * RSS by kind of mapping (/proc/<pid>/smaps, Linux): `[heap]` is glibc's main malloc arena
 * (V8 never uses brk), anonymous mappings are V8's heap pages and malloc's other arenas,
 * files are code and mapped data. Tells native memory from the V8 heap.
 */
async function mappings(pid: number): Promise<string> {
  const text = await readFile(`/proc/${pid}/smaps`, 'utf8').catch(() => '');
  const kb = new Map<string, number>();
  let kind = '';
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[1] ?? '';
      kind = name === '' ? 'anonymous' : name.startsWith('[') ? name : 'files';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB$/.exec(line);
    if (rss) kb.set(kind, (kb.get(kind) ?? 0) + Number(rss[1]));
  }
  return [...kb]
    .filter(([, n]) => n >= 1000)
    .map(([k, n]) => `${k} ${Math.round(n / 1000)} MB`)
    .join(', ');
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
  const banner = APIS.find((a) => a.name === 'banner');
  if (!banner) throw new Error('no banner load');
  const load = await runLoad({ ...banner, url: service.url, users: 100_000, connections: 32, seconds });
  console.log(`banner load: ${Math.round(load.rps)} req/s, p99 ${load.p99} ms, non-2xx ${load.non2xx}`);
  console.log(`after ${seconds} s of banner load: ${await memory(service.url)}`);
  console.log(`mappings: ${await mappings(service.process.pid as number)}`);
} finally {
  await service.stop();
  await rm(dataDir, { recursive: true, force: true });
}
