import test from 'ava';
import { openDocumentStore } from '../../../src/apis.js';
import type { Assignment, TrackedEvent } from '../../../src/banner/store/banner-store.js';
import type { ClickRecord, EventRecord } from '../../../src/offerwall/store/offerwall-store.js';
import type { DocumentStore } from '../../../src/store/document/document-store.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { UNSTORABLE } from '../../journeys/store/journeys-unstorable-contract.js';

/**
 * The banner and offerwall parts of the lowdb store refuse a record without a JSON form
 * before it reaches memory: the exposure counters and the offerwall's progress live in
 * one file each, so one such record there would have failed every later click, postback
 * or render count.
 */
const NOW = '2026-11-20T12:00:00.000Z';
// Typed fields given values that are not what the types say, as a bug upstream would.
const poison = <T>(value: unknown) => value as T;

const tracked = (userId: string, name: unknown = 'login'): TrackedEvent => ({
  userId,
  name: poison<string>(name),
  time: null,
  receivedAt: NOW,
  renderId: null,
  experimentId: null,
  variationId: null,
  value: null,
});

const assignment = (userId: string, experimentId: unknown = 'exp'): Assignment => ({
  experimentId: poison<string>(experimentId),
  bucketVersion: 1,
  userId,
  variationId: 1,
  assignedAt: NOW,
});

const click = (uid: string, sid3: unknown = null): ClickRecord => ({
  appId: 'demo',
  wallId: 1001,
  uid,
  offerId: 7,
  category: 'games',
  offerType: 1,
  sid3: poison<string | null>(sid3),
  at: NOW,
});

const postback = (uid: string, transactionId: string, eventId: unknown = 'base'): EventRecord => ({
  appId: 'demo',
  wallId: 1001,
  uid,
  offerId: 7,
  category: 'games',
  offerType: 1,
  eventId: poison<string>(eventId),
  transactionId,
  final: false,
  at: NOW,
});

for (const [what, bad] of UNSTORABLE) {
  test(`banner and offerwall records with ${what} fail alone (lowdb)`, async (t) => {
    const dir = await tempDir(t, 'offerd-unstorable-');
    let store = await openDocumentStore(dir);
    t.teardown(() => store.close());
    const { banner, offerwall } = store;
    await banner.track('demo', [tracked('before')]);
    await offerwall.recordClick(click('before'));

    const outcomes = await Promise.allSettled([
      banner.track('demo', [tracked('batch-mate'), tracked('bad', bad())]),
      banner.assign('demo', assignment('bad', bad())),
      banner.recordRender('demo', 'bad', new Date(NOW), {
        experimentId: poison<string>(bad()),
        bucketVersion: 1,
        variationId: 1,
      }),
      offerwall.recordClick(click('bad', bad())),
      offerwall.recordEvent(postback('bad', 'tx-bad', bad())),
      banner.track('demo', [tracked('during')]),
      banner.assign('demo', assignment('during')),
      offerwall.recordClick(click('during')),
      offerwall.recordEvent(postback('during', 'tx-during')),
    ]);
    t.deepEqual(
      outcomes.map((o) => o.status),
      [...Array(5).fill('rejected'), ...Array(4).fill('fulfilled')],
    );
    await banner.track('demo', [tracked('after')]);
    await offerwall.recordClick(click('after'));

    const check = async (s: DocumentStore, when: string) => {
      t.is(await s.banner.user('demo', 'batch-mate'), null, when);
      t.deepEqual(await s.banner.assignments('demo', 'bad'), [], when);
      t.is(await s.banner.user('demo', 'bad'), null, when);
      t.deepEqual(await s.offerwall.progressOf('demo', 'bad'), [], when);
      for (const user of ['before', 'during', 'after']) {
        t.is((await s.banner.user('demo', user))?.events, 1, `${user} ${when}`);
        t.is((await s.offerwall.progressOf('demo', user))[0]?.clicks, 1, `${user} ${when}`);
      }
      t.is((await s.banner.assignments('demo', 'during')).length, 1, when);
      t.deepEqual((await s.offerwall.progressOf('demo', 'during'))[0]?.completedEvents, ['base'], when);
    };
    await check(store, 'in memory');
    await store.close();
    store = await openDocumentStore(dir);
    await check(store, 'after a reopen');
  });
}
