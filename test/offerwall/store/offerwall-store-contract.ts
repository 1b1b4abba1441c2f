import type { TestFn } from 'ava';
import type { Ban } from '../../../src/offerwall/domain/bans.js';
import type { CatalogOffer } from '../../../src/offerwall/domain/offer.js';
import type {
  ClickRecord,
  EventRecord,
  OfferwallStore,
} from '../../../src/offerwall/store/offerwall-store.js';

export interface OpenedOfferwallStore {
  store: OfferwallStore;
  close(): Promise<void>;
  /** Persistent adapters: opens the same data again after close(), as a restart would. */
  reopen?(): Promise<OpenedOfferwallStore>;
}

const click = (over: Partial<ClickRecord> = {}): ClickRecord => ({
  appId: 'demo',
  wallId: 1001,
  uid: 'u1',
  offerId: 7,
  category: 'Games',
  offerType: 4,
  sid3: 's-1',
  at: '2026-11-20T12:00:00.000Z',
  ...over,
});

const event = (over: Partial<EventRecord> = {}): EventRecord => ({
  appId: 'demo',
  wallId: 1001,
  uid: 'u1',
  offerId: 7,
  category: 'Games',
  offerType: 4,
  eventId: 'base',
  transactionId: 'tx-1',
  final: false,
  at: '2026-11-20T12:05:00.000Z',
  ...over,
});

const ban = (over: Partial<Ban> = {}): Ban => ({
  id: 'b1',
  appId: 'demo',
  type: 'user',
  value: 'u1',
  wallId: null,
  reason: 'fraud',
  createdAt: '2026-11-20T12:00:00.000Z',
  ...over,
});

/**
 * The behaviour every OfferwallStore adapter must show. `open` gives a fresh, empty
 * store; a persistent adapter also gives `reopen` to prove data survives a restart.
 */
export function offerwallStoreContract(
  test: TestFn,
  name: string,
  open: () => Promise<OpenedOfferwallStore>,
  options: { persistent?: boolean } = {},
): void {
  const use = async (t: { teardown(fn: () => Promise<void>): void }) => {
    const opened = await open();
    t.teardown(() => opened.close());
    return opened.store;
  };

  test(`${name}: a click starts an offer once; later clicks count but keep the first sid3`, async (t) => {
    const store = await use(t);
    const first = await store.recordClick(click());
    t.like(first, {
      status: 'in_progress',
      clicks: 1,
      sid3: 's-1',
      firstClickAt: '2026-11-20T12:00:00.000Z',
    });
    const second = await store.recordClick(click({ sid3: 's-2', at: '2026-11-20T13:00:00.000Z' }));
    t.like(second, { clicks: 2, sid3: 's-1', lastClickAt: '2026-11-20T13:00:00.000Z' });
    t.is((await store.progressOf('demo', 'u1')).length, 1);
    t.deepEqual(await store.progressOf('demo', 'u2'), []);
    t.deepEqual(await store.progressOf('other', 'u1'), []);
  });

  test(`${name}: concurrent first clicks create one progress`, async (t) => {
    const store = await use(t);
    await Promise.all(Array.from({ length: 20 }, () => store.recordClick(click())));
    const all = await store.progressOf('demo', 'u1');
    t.is(all.length, 1);
    t.is(all[0]?.clicks, 20);
  });

  test(`${name}: the final event completes; a replayed transaction changes nothing`, async (t) => {
    const store = await use(t);
    await store.recordClick(click());
    const base = await store.recordEvent(event());
    t.is(base.result, 'recorded');
    t.like(base.result === 'recorded' ? base.progress : {}, {
      status: 'in_progress',
      completedEvents: ['base'],
    });
    const done = await store.recordEvent(event({ eventId: 'level-10', transactionId: 'tx-2', final: true }));
    t.like(done.result === 'recorded' ? done.progress : {}, {
      status: 'completed',
      completedAt: '2026-11-20T12:05:00.000Z',
      completedEvents: ['base', 'level-10'],
    });
    const before = await store.progressOf('demo', 'u1');
    const again = await store.recordEvent(event({ eventId: 'level-10', transactionId: 'tx-2', final: true }));
    t.is(again.result, 'duplicate');
    if (again.result === 'duplicate') t.like(again.first, { uid: 'u1', offerId: 7, eventId: 'level-10' });
    t.deepEqual(await store.progressOf('demo', 'u1'), before);
  });

  test(`${name}: a recorded transaction is read back as its replay, and reading records nothing`, async (t) => {
    const store = await use(t);
    t.is(await store.recordedTransaction('demo', 'tx-1'), null);
    t.deepEqual(await store.progressOf('demo', 'u1'), []);
    await store.recordEvent(event({ final: true }));
    const replay = await store.recordedTransaction('demo', 'tx-1');
    t.like(replay, { result: 'duplicate', first: { uid: 'u1', offerId: 7, eventId: 'base' } });
    t.like(replay?.progress, { status: 'completed', completedEvents: ['base'] });
    t.is(await store.recordedTransaction('other', 'tx-1'), null);
  });

  test(`${name}: concurrent postbacks with one transaction id record it once`, async (t) => {
    const store = await use(t);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => store.recordEvent(event())));
    t.is(outcomes.filter((o) => o.result === 'recorded').length, 1);
    t.is(outcomes.filter((o) => o.result === 'duplicate').length, 9);
    const [p] = await store.progressOf('demo', 'u1');
    t.deepEqual(p?.completedEvents, ['base']);
  });

  // Hostile probe: a new transaction id for an event already completed answered
  // duplicate: false, 10 of 10 concurrent ones too: an integrator paying on it paid each.
  test(`${name}: a new transaction for an event the user completed is a repeat; of concurrent ones for one event, one records it`, async (t) => {
    const store = await use(t);
    await store.recordClick(click());
    t.is((await store.recordEvent(event({ final: true }))).result, 'recorded');
    const before = await store.progressOf('demo', 'u1');
    const repeat = await store.recordEvent(event({ transactionId: 'tx-again', final: true }));
    t.is(repeat.result, 'repeat');
    t.deepEqual(await store.progressOf('demo', 'u1'), before, 'nothing changed');
    t.like(await store.recordedTransaction('demo', 'tx-again'), {
      result: 'duplicate',
      first: { eventId: 'base' },
    });

    const racing = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.recordEvent(event({ uid: 'u2', transactionId: `tx-u2-${i}` })),
      ),
    );
    t.is(racing.filter((o) => o.result === 'recorded').length, 1);
    t.is(racing.filter((o) => o.result === 'repeat').length, 9);
    t.deepEqual((await store.progressOf('demo', 'u2'))[0]?.completedEvents, ['base']);
  });

  test(`${name}: transaction ids are per app`, async (t) => {
    const store = await use(t);
    t.is((await store.recordEvent(event())).result, 'recorded');
    t.is((await store.recordEvent(event({ appId: 'other' }))).result, 'recorded');
  });

  test(`${name}: a postback without a click creates the progress`, async (t) => {
    const store = await use(t);
    const out = await store.recordEvent(event({ final: true }));
    t.like(out.result === 'recorded' ? out.progress : {}, { status: 'completed', clicks: 0, sid3: null });
  });

  test(`${name}: a completed offer stays completed when clicked again`, async (t) => {
    const store = await use(t);
    await store.recordEvent(event({ final: true }));
    t.is((await store.recordClick(click())).status, 'completed');
  });

  test(`${name}: catalogs are replaced whole per wall`, async (t) => {
    const store = await use(t);
    t.is(await store.getCatalog('demo', 1001), null);
    await store.saveCatalog({
      appId: 'demo',
      wallId: 1001,
      syncedAt: '2026-11-20T10:00:00.000Z',
      offers: [],
    });
    await store.saveCatalog({
      appId: 'demo',
      wallId: 1002,
      syncedAt: '2026-11-20T11:00:00.000Z',
      offers: [],
    });
    await store.saveCatalog({
      appId: 'demo',
      wallId: 1001,
      syncedAt: '2026-11-20T12:00:00.000Z',
      offers: [],
    });
    t.is((await store.getCatalog('demo', 1001))?.syncedAt, '2026-11-20T12:00:00.000Z');
    t.is((await store.getCatalog('demo', 1002))?.syncedAt, '2026-11-20T11:00:00.000Z');
    t.deepEqual((await store.getCatalog('demo', 1002))?.retired ?? [], []);
  });

  test(`${name}: a catalog keeps the offers syncs retired`, async (t) => {
    const store = await use(t);
    const offer = { offer_id: 9, events: [{ event_id: 'base' }] } as unknown as CatalogOffer;
    const retired = [{ offer, retiredAt: '2026-11-20T09:00:00.000Z' }];
    await store.saveCatalog({
      appId: 'demo',
      wallId: 1001,
      syncedAt: '2026-11-20T10:00:00.000Z',
      offers: [],
      retired,
    });
    t.deepEqual((await store.getCatalog('demo', 1001))?.retired, retired);
  });

  test(`${name}: bans are listed, found for their user and every IP, and removed`, async (t) => {
    const store = await use(t);
    await store.addBan(ban());
    await store.addBan(ban({ id: 'b2', type: 'ip', value: '10.0.0.0/8' }));
    await store.addBan(ban({ id: 'b3', value: 'u2', wallId: 1001 }));
    await store.addBan(ban({ id: 'b4', appId: 'other', value: 'u1' }));
    t.deepEqual(
      (await store.listBans('demo')).map((b) => b.id),
      ['b1', 'b2', 'b3'],
    );
    t.deepEqual((await store.bansFor('demo', 'u1')).map((b) => b.id).sort(), ['b1', 'b2']);
    t.deepEqual(
      (await store.bansFor('demo', 'u9')).map((b) => b.id),
      ['b2'],
    );
    await t.throwsAsync(store.addBan(ban({ value: 'u7' })), undefined, 'a taken id');
    t.true(await store.removeBan('demo', 'b1'));
    t.false(await store.removeBan('demo', 'b1'));
    t.false(await store.removeBan('demo', 'b4'));
    t.deepEqual(
      (await store.bansFor('demo', 'u1')).map((b) => b.id),
      ['b2'],
    );
  });

  // Hostile probe: each add of one ban stored a copy (30 concurrent: 30), so lifting "the
  // ban" left the user banned.
  test(`${name}: a ban added again is the stored one; concurrent adds store one`, async (t) => {
    const store = await use(t);
    t.deepEqual(await store.addBan(ban()), { ban: ban(), created: true });
    const again = await store.addBan(
      ban({ id: 'b2', reason: 'again', createdAt: '2026-11-21T00:00:00.000Z' }),
    );
    t.deepEqual(again, { ban: ban(), created: false }, 'the first, unchanged');
    t.true((await store.addBan(ban({ id: 'b3', wallId: 1001 }))).created, 'on one wall: another ban');
    t.true((await store.addBan(ban({ id: 'b4', type: 'ip', value: '10.0.0.1' }))).created);
    t.true((await store.addBan(ban({ id: 'b5', appId: 'other' }))).created, 'another app');
    const racing = await Promise.all(
      Array.from({ length: 30 }, (_, i) => store.addBan(ban({ id: `r${i}`, value: 'dupban' }))),
    );
    t.is(racing.filter((r) => r.created).length, 1);
    t.is(new Set(racing.map((r) => r.ban.id)).size, 1, 'every add answers the one stored');
    const stored = (await store.listBans('demo')).filter((b) => b.value === 'dupban');
    t.deepEqual(
      stored.map((b) => b.id),
      [racing[0]?.ban.id],
    );
    t.true(await store.removeBan('demo', stored[0]?.id ?? ''));
    t.deepEqual(
      (await store.bansFor('demo', 'dupban')).map((b) => b.id),
      ['b4'],
      'lifted: only the IP ban is left',
    );
    t.true((await store.addBan(ban({ id: 'r-after', value: 'dupban' }))).created, 'and can be banned again');
    t.deepEqual(
      (await store.listBans('demo')).map((b) => b.id),
      ['b1', 'b3', 'b4', 'r-after'],
    );
  });

  if (options.persistent) {
    test(`${name}: progress, transactions, catalogs and bans survive a reopen`, async (t) => {
      const first = await open();
      const reopen = first.reopen;
      if (!reopen) return t.fail('a persistent adapter must give reopen()');
      await first.store.recordClick(click());
      await first.store.recordEvent(event({ final: true }));
      await first.store.saveCatalog({
        appId: 'demo',
        wallId: 1001,
        syncedAt: '2026-11-21T00:00:00.000Z',
        offers: [],
      });
      await first.store.addBan(ban());
      await first.close();
      const second = await reopen();
      t.teardown(() => second.close());
      const [p] = await second.store.progressOf('demo', 'u1');
      t.like(p, { status: 'completed', clicks: 1, sid3: 's-1' });
      t.is((await second.store.recordEvent(event({ final: true }))).result, 'duplicate');
      t.is((await second.store.getCatalog('demo', 1001))?.syncedAt, '2026-11-21T00:00:00.000Z');
      t.deepEqual(
        (await second.store.listBans('demo')).map((b) => b.id),
        ['b1'],
      );
    });
  }
}
