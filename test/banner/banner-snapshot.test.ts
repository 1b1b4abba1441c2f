import test from 'ava';
import { openDocumentStore } from '../../src/apis.js';
import { bannerSnapshot } from '../../src/banner/banner-snapshot.js';

// The visit (first/last seen, renders) is written behind; the assignment before the render
// answers. A kill -9 in between leaves a player with an assignment and no visit: explain must
// still find them (it said USER_NOT_FOUND of an enrolled player; kill -9 probe).
test('a player known only by an assignment is a stored user, explained with it', async (t) => {
  const store = await openDocumentStore(null);
  t.teardown(() => store.close());
  t.is(await bannerSnapshot(store, 'demo', 'p1'), null, 'nobody stored: no snapshot');
  await store.banner.assign('demo', {
    experimentId: 'exp',
    bucketVersion: 1,
    userId: 'p1',
    variationId: 1,
    assignedAt: '2026-12-06T04:00:00.000Z',
  });
  t.is(await store.banner.user('demo', 'p1'), null, 'no visit stored');
  const snapshot = await bannerSnapshot(store, 'demo', 'p1');
  t.like(snapshot?.records['banner.assignments']?.[0], { experimentId: 'exp', variationId: 1, userId: 'p1' });
  t.deepEqual(snapshot?.records['banner.users'], []);
});
