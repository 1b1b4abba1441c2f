import test from 'ava';
import { openDocumentStore } from '../../../src/apis.js';
import type { Partition } from '../../../src/journeys/domain/journey-types.js';
import type { ClickRecord, EventRecord } from '../../../src/offerwall/store/offerwall-store.js';
import type { DocumentStore } from '../../../src/store/document/document-store.js';
import { failDisk } from '../../helpers/fail-disk.js';
import { tempDir } from '../../helpers/temp-dir.js';

const TEST: Partition = { appId: 'demo', environment: 'test' };
const NOW = new Date('2026-11-20T12:00:00.000Z');
let seq = 0;
const id = (): string => `00000000-0000-4000-a000-${String(++seq).padStart(12, '0')}`;

const event = (externalId: string) => ({
  id: id(),
  externalId,
  clientEventId: null,
  category: 'GAME_PLAY',
  eventType: 'spin',
  points: 10,
  occurredAt: NOW.toISOString(),
  metadata: {},
});

const click = (uid: string, offerId: number): ClickRecord => ({
  appId: 'demo',
  wallId: 1001,
  uid,
  offerId,
  category: 'games',
  offerType: 1,
  sid3: null,
  at: NOW.toISOString(),
});

const postback = (uid: string, offerId: number, transactionId: string): EventRecord => ({
  ...click(uid, offerId),
  eventId: 'base',
  transactionId,
  final: false,
});

test.serial(
  'a failing disk rejects the waiting writes, leaves memory as on disk, and later writes persist',
  async (t) => {
    const dir = await tempDir(t, 'offerd-failing-disk-');
    let store = await openDocumentStore(dir);
    t.teardown(() => store.close().catch(() => undefined));
    await store.journeys.upsertUser(TEST, { externalId: 'ada', metadata: { level: 1 } }, NOW, id);
    await store.journeys.appendEvents(TEST, [event('ada')], NOW, id);
    await store.offerwall.recordClick(click('ada', 7));

    const diskBack = await failDisk(t, dir);
    const outcomes = await Promise.allSettled([
      store.journeys.upsertUser(TEST, { externalId: 'ada', metadata: { level: 2 } }, NOW, id),
      store.journeys.upsertUser(TEST, { externalId: 'bob' }, NOW, id),
      store.journeys.appendEvents(TEST, [event('ada'), event('cy')], NOW, id),
      store.offerwall.recordClick(click('ada', 7)),
      store.offerwall.recordClick(click('bob', 8)),
      store.offerwall.recordEvent(postback('ada', 7, 'tx-1')),
      store.banner.track('demo', [
        {
          userId: 'ada',
          name: 'login',
          time: null,
          receivedAt: NOW.toISOString(),
          renderId: null,
          experimentId: null,
          variationId: null,
          value: null,
        },
      ]),
    ]);
    t.deepEqual(
      outcomes.map((o) => o.status),
      outcomes.map(() => 'rejected'),
    );

    // Memory is what the disk holds: none of the failed writes shows.
    const memoryAsOnDisk = async (s: DocumentStore, when: string) => {
      t.deepEqual((await s.journeys.getUser(TEST, 'ada'))?.metadata, { level: 1 }, when);
      t.is(await s.journeys.getUser(TEST, 'bob'), null, when);
      t.is(await s.journeys.getUser(TEST, 'cy'), null, when);
      t.is((await s.journeys.userEvents(TEST, 'ada')).length, 1, when);
      t.deepEqual(
        (await s.offerwall.progressOf('demo', 'ada')).map((p) => p.clicks),
        [1],
        when,
      );
      t.deepEqual(await s.offerwall.progressOf('demo', 'bob'), [], when);
      t.deepEqual((await s.offerwall.progressOf('demo', 'ada'))[0]?.completedEvents, [], when);
      t.is(await s.banner.user('demo', 'ada'), null, when);
    };
    await memoryAsOnDisk(store, 'in memory while the disk fails');

    await diskBack();
    await store.journeys.upsertUser(TEST, { externalId: 'dee', displayName: 'Dee' }, NOW, id);
    await store.journeys.upsertUser(TEST, { externalId: 'ada', metadata: { level: 3 } }, NOW, id);
    await store.offerwall.recordClick(click('ada', 7));
    // The postback that failed was not stored: sent again, it is recorded, not a duplicate.
    t.is((await store.offerwall.recordEvent(postback('ada', 7, 'tx-1'))).result, 'recorded');
    await store.close();

    store = await openDocumentStore(dir);
    t.is((await store.journeys.getUser(TEST, 'dee'))?.displayName, 'Dee');
    t.deepEqual((await store.journeys.getUser(TEST, 'ada'))?.metadata, { level: 3 });
    t.is(await store.journeys.getUser(TEST, 'bob'), null);
    t.is((await store.journeys.userEvents(TEST, 'ada')).length, 1);
    t.deepEqual(
      (await store.offerwall.progressOf('demo', 'ada')).map((p) => p.clicks),
      [2],
    );
    t.deepEqual(await store.offerwall.progressOf('demo', 'bob'), []);
    t.is((await store.offerwall.recordEvent(postback('ada', 7, 'tx-1'))).result, 'duplicate');
  },
);
