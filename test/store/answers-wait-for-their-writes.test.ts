/**
 * The embedded store changes memory, then awaits the write. A second call that answers from
 * that change — a retry told "already done", a read that serves it — must not answer before
 * the change is on disk: a kill -9 in between would take back what the answer promised. Each
 * test makes the second call while the first one's write is in flight, copies the files the
 * instant it answers (what the kill would leave), and opens a store on the copy.
 */
import test from 'ava';
import { openDocumentStore } from '../../src/apis.js';
import type { Partition } from '../../src/journeys/domain/journey-types.js';
import type { DocumentStore } from '../../src/store/document/document-store.js';
import { filesAtKill } from '../helpers/files-at-kill.js';
import { tempDir } from '../helpers/temp-dir.js';

const APP = 'demo';
const AT = new Date('2026-12-06T03:00:00.000Z');
const NO_LIMITS = { cooldownMs: null, maxPerUser: null };

async function opened(t: import('ava').ExecutionContext, dir: string): Promise<DocumentStore> {
  const store = await openDocumentStore(dir);
  t.teardown(() => store.close());
  return store;
}

/** A store opened on the files as a kill at this instant leaves them. */
async function restartedFrom(t: import('ava').ExecutionContext, dir: string, spare: string) {
  return opened(t, filesAtKill(dir, spare));
}

test('a retried link is answered once the first try has it on disk', async (t) => {
  const [dir, spare] = [await tempDir(t), await tempDir(t)];
  const store = await opened(t, dir);
  const first = store.profiles.alias(APP, 'device-1', 'player-1');
  t.is(await store.profiles.alias(APP, 'device-1', 'player-1'), 'player-1');
  const restarted = await restartedFrom(t, dir, spare);
  t.is(await restarted.profiles.resolve(APP, 'device-1'), 'player-1');
  await first;
});

test('an id resolved through a link being written resolves so after a kill too', async (t) => {
  const [dir, spare] = [await tempDir(t), await tempDir(t)];
  const store = await opened(t, dir);
  const linking = store.profiles.alias(APP, 'device-1', 'player-1');
  t.is(await store.profiles.resolve(APP, 'device-1'), 'player-1');
  const restarted = await restartedFrom(t, dir, spare);
  t.is(await restarted.profiles.resolve(APP, 'device-1'), 'player-1');
  await linking;
});

test('a special offer replayed by its predict id is on disk when replayed', async (t) => {
  const [dir, spare] = [await tempDir(t), await tempDir(t)];
  const store = await opened(t, dir);
  const granting = store.profiles.grant(APP, 'u1', 'offer-1', AT, NO_LIMITS, 'predict-1');
  const replayed = await store.profiles.grantsFor(APP, 'u1', ['offer-1'], 'predict-1');
  t.is(replayed.length, 1);
  const restarted = await restartedFrom(t, dir, spare);
  t.deepEqual(await restarted.profiles.grantsFor(APP, 'u1', ['offer-1'], 'predict-1'), replayed);
  await granting;
});

test('a retried claim is told "already claimed" once the claim and its points are on disk', async (t) => {
  const [dir, spare] = [await tempDir(t), await tempDir(t)];
  const store = await opened(t, dir);
  const p: Partition = { appId: APP, environment: 'test' };
  await store.journeys.upsertUser(p, { externalId: 'u1' }, AT, () => 'user-1');
  const offer = {
    id: '00000000-0000-4000-8000-000000000001',
    externalId: 'u1',
    offerType: 'welcome_bonus',
    gameType: null,
    title: 'Welcome',
    description: 'Hello',
    pointsValue: 100,
    createdAt: AT.toISOString(),
    expiresAt: new Date(AT.getTime() + 86_400_000).toISOString(),
    metadata: {},
    notOfferedSince: null,
  };
  const limits = { maxActiveOffers: 3, maxActivePerType: 1, inactivityDays: 60 };
  await store.journeys.createOffers(p, [offer], limits, AT);
  let n = 0;
  const claimEvent = () => ({
    id: `00000000-0000-4000-8000-00000000010${++n}`,
    externalId: 'u1',
    clientEventId: null,
    category: 'REWARD',
    eventType: 'offer_claimed',
    points: 100,
    occurredAt: AT.toISOString(),
    metadata: {},
  });
  const first = store.journeys.claimOffer(p, 'u1', offer.id, AT, claimEvent);
  t.deepEqual(await store.journeys.claimOffer(p, 'u1', offer.id, AT, claimEvent), {
    ok: false,
    reason: 'not_active',
  });
  const restarted = await restartedFrom(t, dir, spare);
  const [kept] = await restarted.journeys.userOffers(p, 'u1');
  t.is(kept?.status, 'claimed');
  t.is((await restarted.journeys.userEvents(p, 'u1')).length, 1, 'with its claim event');
  t.true((await first).ok);
});

test('a retried ban removal is told "not found" once the removal is on disk', async (t) => {
  const [dir, spare] = [await tempDir(t), await tempDir(t)];
  const store = await opened(t, dir);
  const ban = {
    id: 'b1',
    appId: APP,
    type: 'user' as const,
    value: 'u1',
    wallId: null,
    reason: 'fraud',
    createdAt: AT.toISOString(),
  };
  await store.offerwall.addBan(ban);
  const first = store.offerwall.removeBan(APP, 'b1');
  t.false(await store.offerwall.removeBan(APP, 'b1'));
  const restarted = await restartedFrom(t, dir, spare);
  t.deepEqual(await restarted.offerwall.listBans(APP), []);
  t.true(await first);
});
