import type { ExecutionContext, TestFn } from 'ava';
import { BannerService } from '../../../src/banner/banner-service.js';
import { parseSdkBatch } from '../../../src/banner/sdk/sdk-events.js';
import { SdkService } from '../../../src/banner/sdk/sdk-service.js';
import { SignInMerge } from '../../../src/banner/sdk/sign-in-merge.js';
import type { BannerStore, TrackedEvent } from '../../../src/banner/store/banner-store.js';
import type { ProfileStore } from '../../../src/banner/store/profile-store.js';
import { TrackBatchParser } from '../../../src/banner/track-request.js';

export interface OpenedStores {
  banner: BannerStore;
  profiles: ProfileStore;
  close(): Promise<void>;
}

const T0 = Date.parse('2026-11-21T09:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();
const PURCHASE = 'Purchase';

let counter = 0;
const uid = (name: string): string => `${name}-${process.pid}-${++counter}`;

/** A purchase received at `receivedMin` that says it happened at `timeMin` (null: sent no time). */
function purchase(userId: string, value: number | null, receivedMin: number, timeMin: number | null = null) {
  return {
    userId,
    name: PURCHASE,
    time: timeMin === null ? null : T0 + timeMin * 60_000,
    receivedAt: at(receivedMin),
    renderId: null,
    experimentId: null,
    variationId: null,
    value,
  } satisfies TrackedEvent;
}

/**
 * Revenue tallies and conversion times, identically in every adapter: values summed per
 * assigned user after their assignment, Σ and Σ² per variation exact, an event judged at
 * its own (bounded) time, a retried batch counted once.
 */
export function revenueTallyContract(test: TestFn, name: string, open: () => Promise<OpenedStores>): void {
  const withStores = async (t: ExecutionContext): Promise<OpenedStores> => {
    const opened = await open();
    t.teardown(() => opened.close());
    return opened;
  };
  const enrol = async (store: BannerStore, experimentId: string, userId: string, variationId: number) => {
    await store.assign('app', { experimentId, bucketVersion: 1, userId, variationId, assignedAt: at(0) });
  };

  test(`${name}: revenue tallies are Σ and Σ² of each assigned user's values after assignment`, async (t) => {
    const { banner } = await withStores(t);
    const exp = uid('rev');
    const [a, b, c, d, late] = ['a', 'b', 'c', 'd', 'late'].map(uid) as [
      string,
      string,
      string,
      string,
      string,
    ];
    // Tracked before its user's assignment: never revenue of it.
    await banner.track('app', [purchase(late, 50, -1)]);
    for (const [user, variation] of [
      [a, 0],
      [b, 0],
      [c, 1],
      [d, 1],
      [late, 1],
    ] as const) {
      await enrol(banner, exp, user, variation);
    }
    await banner.track('app', [
      purchase(a, 2.5, 1),
      purchase(b, 4, 1),
      // Received after the assignment, but it happened before: no conversion, no revenue.
      purchase(b, 100, 2, -1),
      purchase(c, 0.5, 1),
      purchase(c, null, 2), // a purchase without a usable value: a conversion adding 0
      { ...purchase(c, 8, 2), name: 'Other' }, // another event's value is not this metric's
    ]);
    await banner.track('app', [purchase(a, 1.25, 3)]);
    const tallies = await banner.tallies('app', exp, 1, PURCHASE);
    // Binary-exact values, so every adapter's sums are exactly these.
    t.deepEqual(
      tallies.map((v) => ({
        variationId: v.variationId,
        users: v.users,
        purchasers: v.conversions.find((x) => x.event === PURCHASE)?.users ?? 0,
        revenue: v.revenue,
      })),
      [
        {
          variationId: 0,
          users: 2,
          purchasers: 2,
          revenue: { sum: 3.75 + 4, sumSquares: 3.75 ** 2 + 4 ** 2 },
        },
        { variationId: 1, users: 3, purchasers: 1, revenue: { sum: 0.5, sumSquares: 0.25 } },
      ],
    );
    t.is((await banner.tallies('app', exp, 1))[0]?.revenue, undefined, 'not asked, not read');
  });

  test(`${name}: a purchase that happened before the assignment is no conversion, even received after`, async (t) => {
    const { banner } = await withStores(t);
    const exp = uid('backdated');
    const user = uid('buyer');
    await enrol(banner, exp, user, 1);
    await banner.track('app', [purchase(user, 9, 5, -2)]);
    const [before] = await banner.tallies('app', exp, 1, PURCHASE);
    t.deepEqual(before?.conversions, []);
    t.deepEqual(before?.revenue, { sum: 0, sumSquares: 0 });
    await banner.track('app', [purchase(user, 3, 6, 4)]);
    const [after] = await banner.tallies('app', exp, 1, PURCHASE);
    t.deepEqual(after?.conversions, [{ event: PURCHASE, users: 1 }]);
    t.deepEqual(after?.revenue, { sum: 3, sumSquares: 9 });
  });

  test(`${name}: an event time ahead of receipt counts at its receipt`, async (t) => {
    const { banner } = await withStores(t);
    const user = uid('fast-clock');
    // A clock an hour fast; one 2 minutes fast; one behind (believed as sent, to the millisecond).
    await banner.track('app', [
      purchase(user, null, 10, 70),
      { ...purchase(user, null, 10), name: 'Open', time: T0 + 12 * 60_000 + 7 },
      { ...purchase(user, null, 10), name: 'Close', time: T0 + 9 * 60_000 + 7 },
    ]);
    const stats = (await banner.user('app', user))?.eventStats ?? [];
    const lastAt = (event: string) => stats.find((s) => s.name === event)?.lastAt;
    t.is(lastAt(PURCHASE), at(10));
    t.is(lastAt('Open'), at(10));
    t.is(lastAt('Close'), new Date(T0 + 9 * 60_000 + 7).toISOString());
  });

  test(`${name}: a purchase received before the assignment, timed after it by a fast clock, is neither conversion nor revenue`, async (t) => {
    // Probe: /track with `time` an hour ahead, then the first banner request: all 20
    // users were converters while their revenue was left out.
    const { banner } = await withStores(t);
    const exp = uid('fast-clock-exp');
    const user = uid('buyer');
    await banner.track('app', [purchase(user, 7, -1, 59)]);
    await enrol(banner, exp, user, 1);
    const [tally] = await banner.tallies('app', exp, 1, PURCHASE);
    t.deepEqual(tally?.conversions, []);
    t.deepEqual(tally?.revenue, { sum: 0, sumSquares: 0 });
  });

  test(`${name}: a retried batch with $insert_id adds its revenue once`, async (t) => {
    const { banner, profiles } = await withStores(t);
    const exp = uid('retry');
    const user = uid('buyer');
    await enrol(banner, exp, user, 1);
    const sdk = new SdkService(
      new BannerService(banner, { now: () => new Date(at(1)), newRenderId: () => 'r' }),
      profiles,
      new SignInMerge(banner),
    );
    const parser = new TrackBatchParser();
    const values = new Map([[PURCHASE, 'revenue']]);
    const body = [1, 2].map((n) => ({
      event: PURCHASE,
      properties: {
        distinct_id: user,
        time: (T0 + 60_000 * n) / 1000,
        revenue: n * 1.5,
        $insert_id: `${user}-${n}`,
      },
    }));
    for (const attempt of [1, 2]) {
      const received = new Date(at(1 + attempt));
      const outcome = await sdk.track('app', parseSdkBatch(body, received, { parser, values }), received);
      t.deepEqual([outcome.stored, outcome.duplicates], attempt === 1 ? [2, 0] : [0, 2]);
    }
    const [tally] = await banner.tallies('app', exp, 1, PURCHASE);
    t.deepEqual(tally?.revenue, { sum: 4.5, sumSquares: 4.5 ** 2 });
    t.deepEqual(tally?.conversions, [{ event: PURCHASE, users: 1 }]);
  });
}
