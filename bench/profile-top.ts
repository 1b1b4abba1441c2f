/**
 * The top self-time functions of a V8 `.cpuprofile` (from `node --cpu-prof`, e.g.
 * `BENCH_CPU_PROF=.tmp/prof npm run bench`), and the same grouped by package or file:
 *
 *   npx tsx bench/profile-top.ts <file.cpuprofile> [count] [skipSeconds]
 *
 * skipSeconds leaves out the first seconds of the profile (start-up, loading the store).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-top.ts <file.cpuprofile> [count] [skipSeconds]');
const count = Number(process.argv[3] ?? 30);
const skipUs = Number(process.argv[4] ?? 0) * 1e6;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

// Self time per node from the samples and their time deltas (µs).
const selfUs = new Map<number, number>();
let at = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  if (at >= skipUs && byId.get(id)?.callFrame.functionName !== '(idle)') {
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  }
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function where(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  const own = /\/(src|dist)\/(.*)$/.exec(url);
  if (own) return own[2] as string;
  return url === '' ? '(native)' : (url.split('/').pop() ?? url);
}

function top(key: (n: ProfileNode) => string): [string, number][] {
  const sums = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const k = key(node);
    sums.set(k, (sums.get(k) ?? 0) + us);
  }
  return [...sums.entries()].sort((a, b) => b[1] - a[1]).slice(0, count);
}

const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
console.log(`${(total / 1e6).toFixed(1)} s busy (idle left out)\n\nself time by function:`);
for (const [k, us] of top(
  (n) =>
    `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`,
)) {
  console.log(`${pct(us)}  ${k}`);
}
console.log('\nself time by package or file:');
for (const [k, us] of top((n) => where(n.callFrame.url))) console.log(`${pct(us)}  ${k}`);
