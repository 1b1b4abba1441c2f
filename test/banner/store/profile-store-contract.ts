import type { TestFn } from 'ava';
import { MAX_PROFILE_BYTES, MAX_PROPERTIES } from '../../../src/banner/domain/profile-ops.js';
import {
  groupProfileId,
  INSERT_ID_WINDOW_MS,
  type ProfileStore,
} from '../../../src/banner/store/profile-store.js';
import { storePerTest } from '../../helpers/store-per-test.js';

export interface OpenedProfileStore {
  store: ProfileStore;
  close(): Promise<void>;
}

const T0 = new Date('2026-11-20T12:00:00.000Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);
let counter = 0;
/** A unique id per test, so adapters sharing one database stay independent. */
const uid = (name: string): string => `${name}-${process.pid}-${++counter}`;

/** What every ProfileStore adapter must do, identically: memory, lowdb and PostgreSQL run it. */
export function profileStoreContract(
  test: TestFn,
  name: string,
  open: () => Promise<OpenedProfileStore>,
): void {
  const withStore = storePerTest(open);

  test(`${name}: engage operations build the profile in order; delete removes it`, async (t) => {
    const store = await withStore(t);
    const u = uid('u');
    const set = { op: '$set' as const, values: { vip_level: 2, tags: ['a'] } };
    t.deepEqual(await store.update('app', [{ kind: 'user', id: u, operations: [set] }]), [null]);
    await store.update('app', [
      { kind: 'user', id: u, operations: [{ op: '$set_once', values: { vip_level: 9, first: 'x' } }] },
      { kind: 'user', id: u, operations: [{ op: '$add', values: { vip_level: 1, coins: 5 } }] },
      { kind: 'user', id: u, operations: [{ op: '$union', values: { tags: ['a', 'b'] } }] },
      { kind: 'user', id: u, operations: [{ op: '$remove', values: { tags: 'a' } }] },
      { kind: 'user', id: u, operations: [{ op: '$unset', names: ['first'] }] },
    ]);
    t.deepEqual(await store.profile('app', 'user', u), { vip_level: 3, tags: ['b'], coins: 5 });
    t.is(await store.profile('other-app', 'user', u), null, 'profiles are per app');
    await store.update('app', [{ kind: 'user', id: u, operations: [{ op: '$delete' }] }]);
    t.is(await store.profile('app', 'user', u), null);
  });

  test(`${name}: an update over the property limit fails alone and changes nothing`, async (t) => {
    const store = await withStore(t);
    const u = uid('big');
    const many = Object.fromEntries(Array.from({ length: MAX_PROPERTIES + 1 }, (_, i) => [`p${i}`, i]));
    const results = await store.update('app', [
      { kind: 'user', id: u, operations: [{ op: '$set', values: many }] },
      { kind: 'user', id: u, operations: [{ op: '$set', values: { ok: true } }] },
    ]);
    t.regex(results[0] ?? '', /at most/);
    t.is(results[1], null);
    t.deepEqual(await store.profile('app', 'user', u), { ok: true });
  });

  test(`${name}: an update that would take a profile past ${MAX_PROFILE_BYTES} bytes of JSON fails alone`, async (t) => {
    const store = await withStore(t);
    const u = uid('heavy');
    const set = (values: Record<string, unknown>) => ({
      kind: 'user' as const,
      id: u,
      operations: [{ op: '$set' as const, values }],
    });
    const refused = (profile: Record<string, unknown>) =>
      `a profile holds at most ${MAX_PROFILE_BYTES} bytes of JSON (128 KB); this update would make it ${Buffer.byteLength(JSON.stringify(profile))}`;
    // The hostile client's request: 15 properties of 60 KB, under the 500-property limit.
    const huge = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`blob${i}`, 'x'.repeat(60_000)]));
    t.deepEqual(await store.update('app', [set({ level: 1 }), set(huge), set({ vip: true })]), [
      null,
      refused({ level: 1, ...huge }),
      null,
    ]);
    t.deepEqual(await store.profile('app', 'user', u), { level: 1, vip: true });
    // Step by step: what fits is kept, the step past the bound is refused, a shrink is not.
    const half = 'y'.repeat(MAX_PROFILE_BYTES / 2);
    t.deepEqual(await store.update('app', [set({ a: half }), set({ b: half }), set({ c: 1 })]), [
      null,
      refused({ level: 1, vip: true, a: half, b: half }),
      null,
    ]);
    // Sorted: jsonb keeps keys in its own order.
    t.deepEqual(Object.keys((await store.profile('app', 'user', u)) ?? {}).sort(), [
      'a',
      'c',
      'level',
      'vip',
    ]);
    const unset = { kind: 'user' as const, id: u, operations: [{ op: '$unset' as const, names: ['a'] }] };
    t.deepEqual(await store.update('app', [unset, set({ b: half })]), [null, null]);
  });

  test(`${name}: an $add past what a number holds fails alone and changes nothing`, async (t) => {
    const store = await withStore(t);
    const u = uid('overflow');
    const add = (coins: number) => ({ op: '$add' as const, values: { coins } });
    t.deepEqual(await store.update('app', [{ kind: 'user', id: u, operations: [add(1e308)] }]), [null]);
    // 1e308 + 1e308 is Infinity, which JSON (the files, jsonb) writes as null: the profile
    // held Infinity in memory and null after a restart.
    const results = await store.update('app', [
      { kind: 'user', id: u, operations: [add(1e308), { op: '$set', values: { level: 2 } }] },
      { kind: 'user', id: u, operations: [{ op: '$set', values: { ok: true } }] },
    ]);
    t.regex(results[0] ?? '', /coins/);
    t.is(results[1], null);
    t.deepEqual(await store.profile('app', 'user', u), { coins: 1e308, ok: true });
  });

  test(`${name}: group profiles are kept apart from user profiles`, async (t) => {
    const store = await withStore(t);
    const g = groupProfileId('company', uid('acme'));
    await store.update('app', [
      { kind: 'group', id: g, operations: [{ op: '$set', values: { tier: 'gold' } }] },
    ]);
    t.deepEqual(await store.profile('app', 'group', g), { tier: 'gold' });
    t.is(await store.profile('app', 'user', g), null);
  });

  test(`${name}: an alias links once; later links of the same alias keep the first`, async (t) => {
    const store = await withStore(t);
    const [alias, first, second] = [uid('alias'), uid('d1'), uid('d2')];
    t.is(await store.resolve('app', alias), alias);
    t.is(await store.alias('app', alias, first), first);
    t.is(await store.alias('app', alias, second), first);
    t.is(await store.resolve('app', alias), first);
    t.is(await store.resolve('other-app', alias), alias);
  });

  test(`${name}: an alias links to the user its distinct id stands for, never to itself`, async (t) => {
    const store = await withStore(t);
    const [user, login, device] = [uid('user'), uid('login'), uid('device')];
    t.is(await store.alias('app', login, user), user);
    t.is(await store.alias('app', device, login), user, 'an alias of an alias links to the user');
    t.is(await store.resolve('app', device), user);
    t.is(await store.alias('app', user, login), user, 'B→A after A→B links nothing');
    t.is(await store.resolve('app', user), user);
  });

  test(`${name}: linkedTo says whether other ids are linked to an id`, async (t) => {
    const store = await withStore(t);
    const [user, alias, other] = [uid('target'), uid('linked'), uid('free')];
    t.false(await store.linkedTo('app', user));
    await store.alias('app', alias, user);
    t.true(await store.linkedTo('app', user));
    t.false(await store.linkedTo('app', alias), 'the alias itself is not a target');
    t.false(await store.linkedTo('app', other));
    t.false(await store.linkedTo('other-app', user), 'per app');
  });

  test(`${name}: concurrent A→B and B→A link one of the two, never both`, async (t) => {
    const store = await withStore(t);
    for (let i = 0; i < 20; i++) {
      const [a, b] = [uid('a'), uid('b')];
      const [ab, ba] = await Promise.all([store.alias('app', a, b), store.alias('app', b, a)]);
      const [ra, rb] = [await store.resolve('app', a), await store.resolve('app', b)];
      t.is(ra, rb, `${a} and ${b} stand for one user, not each for the other`);
      t.true(ra === a || ra === b);
      t.deepEqual([ab, ba], [ra, ra], 'each call returns the user its alias stands for');
    }
  });

  test(`${name}: a sign-in's link takes over a profile made since adoptSince, its properties set over the user's; an older one refuses it`, async (t) => {
    const store = await withStore(t);
    const [user, fresh, old, aliased] = [uid('player'), uid('fresh'), uid('old'), uid('aliased')];
    const set = (id: string, values: Record<string, unknown>, minutes: number) =>
      store.update('app', [{ kind: 'user', id, operations: [{ op: '$set', values }], at: at(minutes) }]);
    await set(user, { a: 1, b: 1 }, 0);
    await set(old, { d: 1 }, 0);
    await set(fresh, { b: 2, c: 2 }, 10);
    await set(aliased, { e: 1 }, 10);
    t.is(await store.alias('app', old, user, true, [], at(5)), null, 'made before the window');
    t.deepEqual(await store.profile('app', 'user', old), { d: 1 });
    t.is(
      await store.alias('app', aliased, user, true, []),
      null,
      'without adoptSince ($create_alias) as before',
    );
    t.is(await store.alias('app', fresh, user, true, [], at(5)), user);
    t.is(await store.resolve('app', fresh), user);
    t.deepEqual(await store.profile('app', 'user', user), { a: 1, b: 2, c: 2 }, "the new id's are newer");
    t.is(await store.profile('app', 'user', fresh), null);
  });

  test(`${name}: a profile emptied by $delete still says its id was used: no link takes it over, with or without adoptSince`, async (t) => {
    const store = await withStore(t);
    const [user, victim, victim2] = [uid('player'), uid('victim'), uid('victim2')];
    const update = (id: string, op: '$set' | '$delete', minutes: number) =>
      store.update('app', [
        {
          kind: 'user',
          id,
          operations: [op === '$set' ? { op, values: { vip: true } } : { op }],
          at: at(minutes),
        },
      ]);
    for (const id of [victim, victim2]) {
      await update(id, '$set', 0);
      await update(id, '$delete', 60);
      t.is(await store.profile('app', 'user', id), null, 'deleted');
    }
    // A hostile probe: an hour-old profile-only player, deleted, then linked to the attacker's id.
    t.is(await store.alias('app', victim, user, true, [], at(55)), null, 'a sign-in of an old id');
    t.is(await store.alias('app', victim2, user, true, []), null, '$create_alias');
    t.deepEqual([await store.resolve('app', victim), await store.resolve('app', victim2)], [victim, victim2]);
    await update(victim, '$set', 61);
    t.deepEqual(await store.profile('app', 'user', victim), { vip: true }, 'a profile again after it');
  });

  test(`${name}: a new-id link refuses an alias granted one of the offers named; a grant to a linked alias is its user's`, async (t) => {
    const store = await withStore(t);
    const once = { cooldownMs: null, maxPerUser: 1 };
    const [user, granted, fresh] = [uid('player'), uid('granted'), uid('fresh')];
    t.deepEqual(await store.grant('app', granted, 'starter', at(0), once, 'p1'), at(0));
    t.is(await store.alias('app', granted, user, true, ['starter']), null, 'a player of its own');
    t.is(await store.resolve('app', granted), granted);
    t.is(await store.alias('app', granted, user, true, ['other']), user, 'only the offers named');
    t.is(await store.alias('app', fresh, user, true, ['starter']), user);
    // The caller resolved `fresh` before the link: the grant still counts for the player.
    t.deepEqual(await store.grant('app', fresh, 'starter', at(1), once, 'p2'), at(1));
    t.is(await store.grant('app', user, 'starter', at(2), once, 'p3'), null, 'one grant per player');
    t.true(await store.granted('app', user, ['starter']));
    t.false(await store.granted('app', fresh, ['starter']), 'nothing stored under the alias');
  });

  test(`${name}: insert ids are claimed once per app, concurrently too, until their events fail to store or they expire`, async (t) => {
    const store = await withStore(t);
    const [a, b] = [uid('ins'), uid('ins')];
    const racing = await Promise.all([
      store.claimInsertIds('app', [a, b], at(0)),
      store.claimInsertIds('app', [a, b], at(0)),
    ]);
    t.is(racing[0].size + racing[1].size, 2, 'each id claimed by exactly one call');
    t.deepEqual([...(await store.claimInsertIds('other-app', [a], at(0)))], [a]);
    // A claim whose events fail to store is taken back; a and b, stored, stay claimed.
    const c = uid('ins');
    await t.throwsAsync(
      store.claimInsertIds('app', [c], at(1), async () => {
        throw new Error('not stored');
      }),
    );
    t.deepEqual([...(await store.claimInsertIds('app', [a, b, c], at(1)))], [c]);
    const later = new Date(at(1).getTime() + INSERT_ID_WINDOW_MS + 60_000);
    t.deepEqual([...(await store.claimInsertIds('app', [a, b], later))].sort(), [a, b].sort());
  });

  test(`${name}: claims whose events fail to store are taken back; the retry claims and stores them`, async (t) => {
    const store = await withStore(t);
    const [a, b] = [uid('ins'), uid('ins')];
    const failing = store.claimInsertIds('app', [a, b], at(0), async () => {
      throw new Error('the events could not be stored');
    });
    await t.throwsAsync(failing, { message: /could not be stored/ });
    const stored: string[] = [];
    const retry = await store.claimInsertIds('app', [a, b], at(0), async (claimed) => {
      stored.push(...claimed);
    });
    // Sorted: AVA compares Sets in insertion order, and a store may claim in its own (PostgreSQL
    // sorts the ids, so 'ins-…-100' came before 'ins-…-99' once the counter crossed 100).
    t.deepEqual([...retry].sort(), [a, b].sort());
    t.deepEqual([...stored].sort(), [a, b].sort(), 'the retry stored the events');
  });

  test(`${name}: a retry while the first call still stores its events waits for it: a duplicate only once they are stored`, async (t) => {
    const store = await withStore(t);
    const a = uid('ins');
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const first = store.claimInsertIds('app', [a], at(0), () => gate);
    let retryDone = false;
    const retry = store.claimInsertIds('app', [a], at(0)).then((claimed) => {
      retryDone = true;
      return claimed;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    t.false(retryDone, 'not answered while the events are not stored');
    finish();
    t.deepEqual([...(await first)], [a]);
    t.deepEqual([...(await retry)], [], 'then a duplicate');
  });

  test(`${name}: a retry waiting on a first call that fails claims the id and stores the events itself`, async (t) => {
    const store = await withStore(t);
    const a = uid('ins');
    let fail!: (err: Error) => void;
    const gate = new Promise<void>((_, reject) => {
      fail = reject;
    });
    const first = store.claimInsertIds('app', [a], at(0), () => gate);
    const stored: string[] = [];
    const retry = store.claimInsertIds('app', [a], at(0), async (claimed) => {
      stored.push(...claimed);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    fail(new Error('disk full'));
    await t.throwsAsync(first);
    t.deepEqual([...(await retry)], [a]);
    t.deepEqual(stored, [a]);
  });

  test(`${name}: pruning forgets insert ids seen before the cut, a bounded number per call`, async (t) => {
    const store = await withStore(t);
    const old = [uid('old'), uid('old'), uid('old')];
    const recent = uid('recent');
    const longAgo = new Date(T0.getTime() - 400 * 86_400_000);
    await store.claimInsertIds('app', [recent], at(0));
    await store.claimInsertIds('app', old, longAgo);
    const cut = new Date(longAgo.getTime() + 60_000);
    t.is(await store.pruneInsertIds(cut, 2), 2);
    t.is(await store.pruneInsertIds(cut, 2), 1);
    t.is(await store.pruneInsertIds(cut, 2), 0);
    t.is((await store.claimInsertIds('app', [recent], at(1))).size, 0, 'a recent id is still remembered');
    t.is((await store.claimInsertIds('app', old, longAgo)).size, 3, 'the pruned ids are forgotten');
  });

  test(`${name}: grants respect cooldown and cap, atomically`, async (t) => {
    const store = await withStore(t);
    const u = uid('g');
    const limits = { cooldownMs: 60 * 60_000, maxPerUser: 2 };
    const grant = (at: Date) => store.grant('app', u, 'offer', at, limits, null);
    const racing = await Promise.all([1, 2, 3].map(() => grant(at(0))));
    t.is(racing.filter(Boolean).length, 1, 'one grant inside the cooldown');
    t.is(await grant(at(59)), null);
    t.deepEqual(await grant(at(60)), at(60));
    t.is(await grant(at(600)), null, 'the cap of 2 is reached');
    t.deepEqual(await store.grant('app', u, 'other-offer', at(600), limits, null), at(600));
    const free = { cooldownMs: null, maxPerUser: null };
    t.deepEqual(await store.grant('app', uid('free'), 'offer', at(0), free, null), at(0));
  });

  test(`${name}: granted says whether a user holds a grant of any of the offers named`, async (t) => {
    const store = await withStore(t);
    const u = uid('held');
    const free = { cooldownMs: null, maxPerUser: null };
    t.false(await store.granted('app', u, ['offer', 'other']));
    t.deepEqual(await store.grant('app', u, 'offer', at(0), free, 'p1'), at(0));
    t.true(await store.granted('app', u, ['other', 'offer']));
    t.false(await store.granted('app', u, ['other']), 'only the offers named');
    t.false(await store.granted('app', u, []));
    t.false(await store.granted('other-app', u, ['offer']), 'per app');
    t.false(await store.granted('app', uid('nobody'), ['offer']));
  });

  test(`${name}: a grant remembers its predict_id: that call again is replayed, not counted`, async (t) => {
    const store = await withStore(t);
    const u = uid('p');
    const once = { cooldownMs: null, maxPerUser: 1 };
    t.deepEqual(await store.grant('app', u, 'once', at(0), once, 'p1'), at(0));
    t.deepEqual(
      await store.grant('app', u, 'once', at(5), once, 'p1'),
      at(0),
      'a retry of p1 gets its grant again, as made',
    );
    t.is(await store.grant('app', u, 'once', at(5), once, 'p2'), null, 'another call is held by the cap');
    t.is(await store.grant('app', u, 'once', at(5), once, null), null, 'so is a call without a predict_id');
    t.deepEqual(await store.grantsFor('app', u, ['once', 'unknown'], 'p1'), [{ offerId: 'once', at: at(0) }]);
    t.deepEqual(await store.grantsFor('app', u, ['once'], 'p2'), [], 'a refused call left no grant');
    t.deepEqual(await store.grantsFor('app', uid('other'), ['once'], 'p1'), [], 'per user');
    t.deepEqual(await store.grantsFor('other-app', u, ['once'], 'p1'), [], 'per app');

    // A replay moves neither the count nor the cooldown's start.
    const limits = { cooldownMs: 60 * 60_000, maxPerUser: 2 };
    const grant = (at: Date, predictId: string | null) =>
      store.grant('app', u, 'twice', at, limits, predictId);
    t.deepEqual(await grant(at(0), 'a'), at(0));
    t.deepEqual(await grant(at(30), 'a'), at(0), 'replayed inside the cooldown');
    t.deepEqual(await grant(at(60), 'b'), at(60), 'the cooldown runs from the first grant, not the replay');
    t.deepEqual(await grant(at(600), 'b'), at(60));
    t.is(await grant(at(600), 'c'), null, 'the cap of 2: the replays did not count');
    t.is(await grant(at(600), 'a'), null, 'only the last grant of an offer is remembered');
    t.deepEqual(await store.grantsFor('app', u, ['twice'], 'b'), [{ offerId: 'twice', at: at(60) }]);

    // Most recent first; a grant without a predict_id is found by none.
    const free = { cooldownMs: null, maxPerUser: null };
    t.deepEqual(await store.grant('app', u, 'x', at(1), free, 'q'), at(1));
    t.deepEqual(await store.grant('app', u, 'y', at(2), free, 'q'), at(2));
    t.deepEqual(await store.grant('app', u, 'z', at(3), free, null), at(3));
    t.deepEqual(
      (await store.grantsFor('app', u, ['x', 'y', 'z'], 'q')).map((g) => g.offerId),
      ['y', 'x'],
    );
    t.deepEqual(await store.grantsFor('app', u, [], 'q'), []);
  });

  test(`${name}: concurrent copies of one call are granted once, and each gets the grant as it was made`, async (t) => {
    const store = await withStore(t);
    const u = uid('c');
    const once = { cooldownMs: 60 * 60_000, maxPerUser: 1 };
    // Each copy with its own clock, as concurrent requests have: every copy must answer the
    // one grant's time, or copies show different expiries (vendor-clients probe, PostgreSQL).
    const copies = await Promise.all(
      [1, 2, 3, 4].map((n) => store.grant('app', u, 'once', new Date(at(0).getTime() + n), once, 'p')),
    );
    const made = await store.grantsFor('app', u, ['once'], 'p');
    t.is(made.length, 1);
    t.deepEqual(
      copies,
      [1, 2, 3, 4].map(() => made[0]?.at),
    );
    t.is(
      await store.grant('app', u, 'once', at(120), once, 'p-next'),
      null,
      'counted once: the cap is reached',
    );
    const others = await Promise.all(
      ['a', 'b', 'c'].map((p) => store.grant('app', u, 'other', at(0), once, p)),
    );
    t.is(others.filter(Boolean).length, 1, 'distinct calls still pass a cap of 1 once');
  });
}
