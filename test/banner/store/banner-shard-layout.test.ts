import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { openDocumentStore } from '../../../src/apis.js';
import { tempDir } from '../../helpers/temp-dir.js';

/**
 * A store written with fewer shards than today's (here: everything in shard 00, as one
 * shard would have put it), or before the shard key, holds records outside the shard their
 * key picks now. It must load and answer, and its records move to their shards on open
 * (once each: a shard an earlier hash filled must not stay full).
 */
const AT = '2026-11-20T12:00:00.000Z';
const USERS = Array.from({ length: 20 }, (_, i) => `old-${i}`);

async function writeOldStore(dir: string): Promise<void> {
  const user = (userId: string) => ({
    appId: 'demo',
    userId,
    firstSeenAt: AT,
    lastSeenAt: AT,
    renders: 2,
    events: 1,
    purchases: 1,
    lastEventAt: AT,
    lastPurchaseAt: AT,
    eventStats: [{ name: 'SpecialOfferPopupPurchased', count: 1, lastAt: AT }],
  });
  const assignment = (userId: string) => ({
    experimentId: 'exp',
    bucketVersion: 1,
    userId,
    variationId: 1,
    assignedAt: AT,
    appId: 'demo',
  });
  const event = (userId: string) => ({
    userId,
    name: 'SpecialOfferPopupPurchased',
    time: null,
    receivedAt: AT,
    renderId: null,
    experimentId: null,
    variationId: null,
  });
  const files = {
    'banner-users-00.json': { users: USERS.map(user) },
    'banner-assignments-00.json': { assignments: USERS.map(assignment) },
    'banner-events-00.json': {
      logs: USERS.map((userId) => ({ appId: 'demo', userId, events: [event(userId)] })),
    },
  };
  for (const [name, content] of Object.entries(files)) {
    await writeFile(path.join(dir, name), JSON.stringify(content));
  }
}

/** How many records of each user the files of one collection hold, and in which files. */
async function placement(dir: string, prefix: string, list: string) {
  const where = new Map<string, string[]>();
  for (const name of (await readdir(dir)).filter((n) => n.startsWith(prefix)).sort()) {
    const doc = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as Record<
      string,
      { userId: string }[]
    >;
    for (const r of doc[list] ?? []) where.set(r.userId, [...(where.get(r.userId) ?? []), name]);
  }
  return where;
}

test('a store written with fewer shards loads, keeps its sticky assignments and moves its records to their shards', async (t) => {
  const dir = await tempDir(t, 'offerd-banner-layout-');
  await writeOldStore(dir);
  const opened = await openDocumentStore(dir);
  const store = opened.banner;
  for (const userId of USERS) {
    t.is((await store.user('demo', userId))?.renders, 2, userId);
    t.is((await store.recentEvents('demo', userId)).length, 1, userId);
  }
  // The stored assignment wins over a new proposal, for every old user.
  for (const userId of USERS) {
    const proposal = { experimentId: 'exp', bucketVersion: 1, userId, variationId: 0, assignedAt: AT };
    const { assignment, created } = await store.assign('demo', proposal);
    t.false(created, userId);
    t.is(assignment.variationId, 1, userId);
  }
  const later = '2026-11-21T12:00:00.000Z';
  for (const userId of USERS) {
    await store.recordRender('demo', userId, new Date(later), null);
    await store.track('demo', [
      {
        userId,
        name: 'AppStart',
        time: null,
        value: null,
        receivedAt: later,
        renderId: null,
        experimentId: null,
        variationId: null,
      },
    ]);
  }
  await opened.close();

  const reopened = await openDocumentStore(dir);
  t.teardown(() => reopened.close());
  for (const userId of USERS) {
    const user = await reopened.banner.user('demo', userId);
    t.is(user?.renders, 3, userId);
    t.is(user?.events, 2, userId);
    t.is(user?.lastSeenAt, later, userId);
    t.deepEqual(
      (await reopened.banner.recentEvents('demo', userId)).map((e) => e.name),
      ['SpecialOfferPopupPurchased', 'AppStart'],
      userId,
    );
    t.is((await reopened.banner.assignments('demo', userId))[0]?.variationId, 1, userId);
  }
  // Each record once, in the shard the data dir's key picks: out of 00, nothing duplicated.
  for (const [prefix, list] of [
    ['banner-users-', 'users'],
    ['banner-assignments-', 'assignments'],
    ['banner-events-', 'logs'],
  ] as const) {
    const where = await placement(dir, prefix, list);
    for (const userId of USERS) t.is(where.get(userId)?.length, 1, `${prefix} ${userId}`);
    // 20 users in 64 shards: all in one comes once in 64^19 dirs.
    t.true(new Set(USERS.map((u) => where.get(u)?.[0])).size > 1, `${prefix} spread`);
  }
});
