import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { openDocumentStore } from '../../../src/apis.js';
import type { TrackedEvent } from '../../../src/banner/store/banner-store.js';
import { tempDir } from '../../helpers/temp-dir.js';

const event = (userId: string): TrackedEvent => ({
  userId,
  name: 'AppStart',
  time: null,
  receivedAt: new Date().toISOString(),
  renderId: null,
  experimentId: null,
  variationId: null,
  value: null,
});

/** Each user-sharded banner file by name: its inode (a rewrite renames a new file over it) and size. */
async function files(dir: string): Promise<Map<string, { ino: number; size: number }>> {
  const out = new Map<string, { ino: number; size: number }>();
  for (const name of await readdir(dir)) {
    if (!/^banner-(users|events)-\d+\.json$/.test(name)) continue;
    const s = await stat(path.join(dir, name));
    out.set(name, { ino: s.ino, size: s.size });
  }
  return out;
}

test('a /track batch naming 50 new users rewrites a small part of the store, not half of it', async (t) => {
  // The node SDK's track_batch from a game's backend names many users per batch, and so can
  // anyone holding the public key. With 64 shards such a batch rewrote ~34 of them per
  // collection, about half of all users' bytes (an outside probe at 100,000 users: ~1.9 s of
  // CPU per 4 KB request, 85 times a batch of one user).
  const dir = await tempDir(t, 'offerd-track-spread-');
  const store = await openDocumentStore(dir);
  t.teardown(() => store.close());
  const seeded: Promise<void>[] = [];
  for (let b = 0; b < 5000; b += 50) {
    seeded.push(
      store.banner.track(
        'demo',
        Array.from({ length: 50 }, (_, i) => event(`seed-${b + i}`)),
      ),
    );
  }
  await Promise.all(seeded);
  const before = await files(dir);
  await store.banner.track(
    'demo',
    Array.from({ length: 50 }, (_, i) => event(`new-${i}`)),
  );
  const after = await files(dir);
  let total = 0;
  let rewritten = 0;
  for (const [name, was] of before) {
    total += was.size;
    if (after.get(name)?.ino !== was.ino) rewritten += was.size;
  }
  t.true(total > 0);
  const share = rewritten / total;
  t.true(share < 0.2, `the batch rewrote ${(share * 100).toFixed(1)} % of the users' and events' bytes`);
});
