/**
 * CPU time the service and the floor spend per request (µs), read from /proc around
 * each load run: steadier than req/s on a shared machine, where the ratio moves with
 * whatever else runs. Same world as `npm run bench` with BENCH_WORKDIR (seeded before).
 *
 *   BENCH_WORKDIR=<dir> BENCH_APIS=offerwall npx tsx bench/cpu-per-request.ts
 *
 * Build first (`npx tsc -p tsconfig.build.json`); BENCH_SECONDS (8) per run, 2 rounds;
 * BENCH_CPU_PROF=<dir> profiles the service.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { APIS, floorFor, sampleBody } from './api-loads.js';
import { type Child, runLoad, startService } from './processes.js';

const WORKDIR = process.env.BENCH_WORKDIR;
if (!WORKDIR) throw new Error('BENCH_WORKDIR must name a seeded bench world');
const ONLY = process.env.BENCH_APIS?.split(',');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const USERS = Number(process.env.BENCH_USERS ?? 100_000);

/** utime + stime from a /proc stat file, in µs (clock ticks of 10 ms). */
function statUs(file: string): number {
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const cpuUs = (pid: number) => statUs(`/proc/${pid}/stat`);

/** CPU of the main thread and of all the others (V8's GC and compiler workers, libuv's pool), in µs. */
function threadsUs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const name = tid === String(pid) ? 'main' : 'other threads';
    out.set(name, (out.get(name) ?? 0) + statUs(`/proc/${pid}/task/${tid}/stat`));
  }
  return out;
}

async function main(): Promise<void> {
  const root = WORKDIR as string;
  const service = await startService({
    configFile: path.join(root, 'offerd.yaml'),
    rulesDir: path.join(root, 'rules'),
    dataDir: path.join(root, 'data'),
    cpuProfDir: process.env.BENCH_CPU_PROF,
  });
  let floor: Child | null = null;
  try {
    for (const api of APIS.filter((a) => !ONLY || ONLY.includes(a.name))) {
      floor = await floorFor(root, new Map([[api, await sampleBody(service.url, api, USERS)]]));
      const spec = (url: string, seconds: number) => ({
        url,
        method: api.method,
        path: api.path,
        headers: api.headers,
        ...(api.body ? { body: api.body } : {}),
        users: USERS,
        connections: 64,
        seconds,
      });
      await runLoad(spec(service.url, 3));
      await runLoad(spec(floor.url, 3));
      for (let round = 0; round < 2; round++) {
        for (const [name, child] of [
          [api.name, service],
          ['floor', floor],
        ] as const) {
          const pid = child.process.pid as number;
          const before = cpuUs(pid);
          const threadsBefore = threadsUs(pid);
          const r = await runLoad(spec(child.url, SECONDS));
          const us = (cpuUs(pid) - before) / r.total;
          const threads = [...threadsUs(pid)]
            .map(([t, v]) => [t, (v - (threadsBefore.get(t) ?? 0)) / r.total] as const)
            .filter(([, v]) => v >= 0.5)
            .map(([t, v]) => `${t} ${v.toFixed(1)}`)
            .join(', ');
          console.log(
            `${name}: ${us.toFixed(1)} µs CPU/request (${threads}), ${Math.round(r.rps)} req/s, p99 ${r.p99} ms, non-2xx ${r.non2xx}`,
          );
        }
      }
      await floor.stop();
      floor = null;
    }
  } finally {
    await floor?.stop();
    await service.stop();
  }
}

await main();
