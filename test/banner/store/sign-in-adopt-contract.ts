import type { ExecutionContext, TestFn } from 'ava';
import { BannerService } from '../../../src/banner/banner-service.js';
import type { BannerRules } from '../../../src/banner/rules/banner-kind.js';
import { parseSdkBatch } from '../../../src/banner/sdk/sdk-events.js';
import { SdkService } from '../../../src/banner/sdk/sdk-service.js';
import { SignInMerge } from '../../../src/banner/sdk/sign-in-merge.js';
import { SIGN_IN_WINDOW_MS } from '../../../src/banner/sdk/sign-in-window.js';
import type { BannerStore } from '../../../src/banner/store/banner-store.js';
import type { ProfileStore } from '../../../src/banner/store/profile-store.js';
import { TrackBatchParser } from '../../../src/banner/track-request.js';

export interface OpenedStores {
  banner: BannerStore;
  profiles: ProfileStore;
  close(): Promise<void>;
}

const T0 = Date.parse('2026-11-21T09:00:00.000Z');
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);
const iso = (minutes: number): string => at(minutes).toISOString();
const WINDOW_MIN = SIGN_IN_WINDOW_MS / 60_000;

let counter = 0;
const uid = (name: string): string => `${name}-${process.pid}-${++counter}`;

/**
 * Unity's sign-in, identically in every adapter: Identify(id) only queues `_kb_identify`, while
 * the banner and a People.Set under the new id reach offerd at once. A new id holding only
 * that, first seen within SIGN_IN_WINDOW_MS, is linked and merged into the anonymous player;
 * anything more (older, tracked events, `$create_alias`) is refused as before (the takeover).
 */
export function signInAdoptContract(test: TestFn, name: string, open: () => Promise<OpenedStores>): void {
  const withStores = async (t: ExecutionContext) => {
    const opened = await open();
    t.teardown(() => opened.close());
    const parser = new TrackBatchParser();
    const sdk = new SdkService(
      new BannerService(opened.banner, { now: () => at(0), newRenderId: () => 'r' }),
      opened.profiles,
      new SignInMerge(opened.banner),
    );
    const send = (body: unknown[], minutes: number, rules: BannerRules | null = null) =>
      sdk.track('app', parseSdkBatch(body, at(minutes), { parser, values: new Map() }), at(minutes), rules);
    const identify = (known: string, anon: string, minutes: number, rules: BannerRules | null = null) =>
      send(
        [{ event: '_kb_identify', properties: { distinct_id: known, _kb_anon_distinct_id: anon } }],
        minutes,
        rules,
      );
    const event = (user: string, name: string, minutes: number) =>
      send([{ event: name, properties: { distinct_id: user, time: at(minutes).getTime() } }], minutes);
    const profile = (id: string, values: Record<string, unknown>, minutes: number) =>
      opened.profiles.update('app', [
        { kind: 'user', id, operations: [{ op: '$set', values }], at: at(minutes) },
      ]);
    return { ...opened, identify, event, profile, send };
  };

  test(`${name}: a sign-in's new id holding only the device's renders, assignments and profile is merged into the player`, async (t) => {
    const { banner, profiles, identify, event, profile } = await withStores(t);
    const [exp, other, anon, known] = [uid('exp'), uid('other'), uid('anon'), uid('acct')];
    const assign = (userId: string, experimentId: string, variationId: number, minutes: number) =>
      banner.assign('app', { experimentId, bucketVersion: 1, userId, variationId, assignedAt: iso(minutes) });
    // Played anonymously: control, a render, a profile, an event.
    await assign(anon, exp, 0, 0);
    await banner.recordRender('app', anon, at(0), null);
    await profile(anon, { device: 'd', level: 1 }, 0);
    t.is((await event(anon, 'Opened', 1)).stored, 1);
    // Signed in: the banner and a People.Set under the new id reach offerd before the identify.
    await assign(known, exp, 1, 30);
    await assign(known, other, 2, 30);
    await banner.recordRender('app', known, at(30), null);
    await banner.recordRender('app', known, at(31), null);
    await profile(known, { name: 'Ada', level: 3 }, 30);
    t.deepEqual((await identify(known, anon, 32)).rejected, []);

    t.is(await profiles.resolve('app', known), anon, 'linked (the old code refused: the id had data)');
    t.like(await banner.user('app', anon), {
      firstSeenAt: iso(0),
      lastSeenAt: iso(31),
      renders: 3,
      events: 2, // Opened and the identify itself
    });
    t.is(await banner.user('app', known), null);
    const kept = (await banner.assignments('app', anon)).map(
      (a) => `${a.experimentId === exp ? 'exp' : 'other'}:${a.variationId}`,
    );
    t.deepEqual(kept.sort(), ['exp:0', 'other:2'], 'control stays control; the other experiment moves');
    t.deepEqual(await banner.assignments('app', known), []);
    t.deepEqual(await profiles.profile('app', 'user', anon), { device: 'd', level: 3, name: 'Ada' });
    t.is(await profiles.profile('app', 'user', known), null);

    // From here on the new id is the player: one user in the experiment, converting once.
    t.is((await event(known, 'Purchase', 33)).stored, 1);
    const tallies = await banner.tallies('app', exp, 1);
    t.deepEqual(
      tallies.filter((v) => v.users > 0).map((v) => [v.variationId, v.users]),
      [[0, 1]],
    );
    const converted = tallies.find((v) => v.variationId === 0)?.conversions ?? [];
    t.deepEqual(
      ['Opened', 'Purchase'].map((e) => converted.find((c) => c.event === e)?.users),
      [1, 1],
    );
    t.like(await banner.user('app', anon), { events: 3 }, 'Opened, the identify itself, Purchase');
  });

  test(`${name}: a sign-in's merge drops the new id's assignment in an experiment sharing the player's slot`, async (t) => {
    const { banner, identify } = await withStores(t);
    const [anon, known, welcome, rival, shop] = ['anon', 'acct', 'welcome', 'rival', 'shop'].map(uid) as [
      string,
      string,
      string,
      string,
      string,
    ];
    const assign = (userId: string, experimentId: string, variationId: number) =>
      banner.assign('app', { experimentId, bucketVersion: 1, userId, variationId, assignedAt: iso(30) });
    await assign(anon, welcome, 0);
    await assign(known, rival, 1);
    await assign(known, shop, 1);
    // `welcome` and `rival` compete for the login slot; `shop` runs apart.
    const experiments = [
      { id: welcome, occasion: 'login' },
      { id: rival, occasion: 'login' },
      { id: shop, occasion: 'shop' },
    ].map((e) => ({ ...e, status: 'running', bucketVersion: 1 }));
    const rules = { experiments, specialOffers: { offers: { data: [] } } } as unknown as BannerRules;
    t.deepEqual((await identify(known, anon, 32, rules)).rejected, []);
    t.deepEqual(
      (await banner.assignments('app', anon)).map((a) => a.experimentId).sort(),
      [shop, welcome].sort(),
    );
    t.deepEqual(await banner.assignments('app', known), []);
    t.deepEqual(
      (await banner.tallies('app', rival, 1)).map((v) => v.users),
      [],
      'the rival counts no one',
    );
  });

  test(`${name}: a new id seen before the sign-in window, or with events of its own, or named by $create_alias stays apart`, async (t) => {
    const { banner, profiles, identify, event, profile, send } = await withStores(t);
    const anon = uid('anon');
    await banner.recordRender('app', anon, at(0), null);
    const apart = async (id: string) => t.is(await profiles.resolve('app', id), id, id);

    const oldRender = uid('old-render');
    await banner.recordRender('app', oldRender, at(0), null);
    await identify(oldRender, anon, WINDOW_MIN + 1);
    await apart(oldRender);

    const oldProfile = uid('old-profile');
    await profile(oldProfile, { name: 'Victim' }, 0);
    await identify(oldProfile, anon, WINDOW_MIN + 1);
    await apart(oldProfile);
    t.deepEqual(await profiles.profile('app', 'user', oldProfile), { name: 'Victim' });

    const oldAssignment = uid('old-assignment');
    await banner.assign('app', {
      experimentId: uid('e'),
      bucketVersion: 1,
      userId: oldAssignment,
      variationId: 1,
      assignedAt: iso(0),
    });
    await identify(oldAssignment, anon, WINDOW_MIN + 1);
    await apart(oldAssignment);

    const withEvents = uid('with-events');
    await banner.recordRender('app', withEvents, at(0), null);
    await event(withEvents, 'Purchase', 0);
    await identify(withEvents, anon, 1);
    await apart(withEvents);

    // Mixpanel's rule for $create_alias is unchanged: the alias must be a new id.
    const aliased = uid('aliased');
    await banner.recordRender('app', aliased, at(0), null);
    const outcome = await send(
      [{ event: '$create_alias', properties: { distinct_id: anon, alias: aliased } }],
      1,
    );
    t.regex(outcome.rejected[0]?.message ?? '', /already a user with data of its own/);
    await apart(aliased);
    t.like(await banner.user('app', anon), { renders: 1 });
  });
}
