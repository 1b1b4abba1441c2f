import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { JourneysDocumentStore } from '../../../src/journeys/store/journeys-document-store.js';
import { tempDir } from '../../helpers/temp-dir.js';

const p = { appId: 'demo', environment: 'test' as const };
const at = '2026-11-20T10:00:00.000Z';

function user(externalId: string) {
  return {
    id: `id-${externalId}`,
    externalId,
    displayName: null,
    email: null,
    phone: null,
    country: null,
    device: null,
    source: null,
    tags: {},
    metadata: {},
    createdAt: at,
    updatedAt: at,
    ...p,
  };
}
const event = (externalId: string, n: number) => ({
  id: `e-${externalId}-${n}`,
  externalId,
  clientEventId: `c-${externalId}-${n}`,
  category: 'GAME_PLAY',
  eventType: 'spin',
  points: 10,
  occurredAt: at,
  metadata: { won: n === 0 },
  receivedAt: at,
  ...p,
});
const offer = (externalId: string) => ({
  id: `o-${externalId}`,
  externalId,
  offerType: 'welcome_bonus',
  gameType: 'spin_the_wheel',
  title: 'Welcome',
  description: 'Hi',
  pointsValue: 50,
  createdAt: at,
  expiresAt: '2099-01-01T00:00:00.000Z',
  metadata: {},
  status: 'active',
  claimedAt: null,
  ...p,
});

const ids = Array.from({ length: 40 }, (_, i) => `u${i}`);

/** A data directory as a store from before the shards left it: two files. */
async function unshardedStore(t: Parameters<typeof tempDir>[0]): Promise<string> {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, 'journeys-profiles.json'), JSON.stringify({ users: ids.map(user) }));
  await writeFile(
    path.join(dir, 'journeys-activity.json'),
    JSON.stringify({ events: ids.flatMap((id) => [event(id, 0), event(id, 1)]), offers: ids.map(offer) }),
  );
  return dir;
}

async function expectEverything(t: Parameters<typeof tempDir>[0], store: JourneysDocumentStore) {
  for (const id of ids) {
    t.is((await store.getUser(p, id))?.id, `id-${id}`);
    t.deepEqual(
      (await store.userEvents(p, id)).map((e) => e.id),
      [`e-${id}-0`, `e-${id}-1`],
    );
    t.deepEqual(
      (await store.userOffers(p, id)).map((o) => o.id),
      [`o-${id}`],
    );
  }
}

test('a store written as two files is moved into shards on open, and nothing is lost or doubled', async (t) => {
  const dir = await unshardedStore(t);
  const store = await JourneysDocumentStore.open(dir);
  await expectEverything(t, store);
  t.false(existsSync(path.join(dir, 'journeys-activity.json')));
  t.false(existsSync(path.join(dir, 'journeys-profiles.json')));
  t.true((await readdir(dir)).filter((f) => /^journeys-\d\d\.json$/.test(f)).length > 1);
  await Promise.all(store.files.map((f) => f.flush()));

  const reopened = await JourneysDocumentStore.open(dir);
  await expectEverything(t, reopened);
  // A claim after the move is one write of the user's shard and survives a reopen.
  const claimed = await reopened.claimOffer(p, 'u7', 'o-u7', new Date('2026-11-21T00:00:00Z'), (o) => ({
    id: 'claim-u7',
    externalId: 'u7',
    clientEventId: null,
    category: 'REWARD',
    eventType: 'offer_claimed',
    points: o.pointsValue,
    occurredAt: '2026-11-21T00:00:00.000Z',
    metadata: {},
  }));
  t.true(claimed.ok);
  const again = await JourneysDocumentStore.open(dir);
  t.is((await again.userOffers(p, 'u7'))[0]?.status, 'claimed');
  t.is((await again.userEvents(p, 'u7')).length, 3);
});

test('a move interrupted after writing shards is redone from the two files, without duplicates', async (t) => {
  const dir = await unshardedStore(t);
  // Shards as an interrupted move could leave them: partly written, the old files still there.
  await writeFile(
    path.join(dir, 'journeys-00.json'),
    JSON.stringify({ users: [user('u1')], events: [event('u1', 0)], offers: [offer('u1')] }),
  );
  const store = await JourneysDocumentStore.open(dir);
  await expectEverything(t, store);
});
