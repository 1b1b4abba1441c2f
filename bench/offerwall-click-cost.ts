/**
 * The cost of an offerwall click on the embedded store grown by clicks of new uids with a
 * 4 KB sid3, as the hostile probe grew it: `npx tsx bench/offerwall-click-cost.ts [uids]`
 * (default 20000). Prints CPU and wall ms per click (400 clicks, 20 at a time) and RSS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDocumentStore } from '../src/apis.js';

const dir = await mkdtemp(path.join(tmpdir(), 'click-cost-'));
const store = await openDocumentStore(dir);
const sid3 = 'x'.repeat(4096);
const click = (i: number) => ({
  appId: 'demo',
  wallId: 1001,
  uid: `u${i}`,
  offerId: 10161,
  category: 'games',
  offerType: 1,
  sid3,
  at: new Date().toISOString(),
});
const grown = Number(process.argv[2] ?? 20000);
for (let i = 0; i < grown; i += 50)
  await Promise.all(Array.from({ length: 50 }, (_, k) => store.offerwall.recordClick(click(i + k))));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < 400; i += 20)
  await Promise.all(Array.from({ length: 20 }, (_, k) => store.offerwall.recordClick(click(grown + i + k))));
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    grown,
    clicks: 400,
    msPerClick: +((performance.now() - t0) / 400).toFixed(2),
    cpuMsPerClick: +((cpu.user + cpu.system) / 1000 / 400).toFixed(2),
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
  }),
);
await store.close();
await rm(dir, { recursive: true });
