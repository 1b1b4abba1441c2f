import type { TestFn } from 'ava';
import type { Assignment } from '../../../src/banner/store/banner-store.js';
import { storePerTest } from '../../helpers/store-per-test.js';
import type { OpenedBannerStore } from './banner-store-contract.js';

let counter = 0;
const uid = (name: string): string => `${name}-${process.pid}-${++counter}`;

/** enrollmentsByDay on every adapter: the series the results' timeline is drawn from. */
export function enrollmentDayContract(
  test: TestFn,
  name: string,
  open: () => Promise<OpenedBannerStore>,
): void {
  const withStore = storePerTest(open);

  test(`${name}: enrollments count per UTC day and variation, bucket versions and apps apart`, async (t) => {
    const store = await withStore(t);
    const experimentId = uid('daily');
    const enrol = (variationId: number, assignedAt: string, extra: Partial<Assignment> = {}) =>
      store.assign('app', {
        experimentId,
        bucketVersion: 1,
        userId: uid('u'),
        variationId,
        assignedAt,
        ...extra,
      });
    await enrol(0, '2026-11-20T00:00:00.000Z');
    await enrol(0, '2026-11-20T23:59:59.999Z');
    await enrol(1, '2026-11-20T10:00:00.000Z');
    // 01:30 in UTC+02:00 is 23:30 of the day before in UTC: days are UTC days.
    await enrol(1, '2026-11-23T01:30:00.000+02:00');
    await enrol(0, '2026-11-24T08:00:00.000Z');
    await enrol(1, '2026-11-24T08:00:00.000Z', { bucketVersion: 2 });
    t.deepEqual(await store.enrollmentsByDay('app', experimentId, 1), [
      { day: '2026-11-20', variationId: 0, users: 2 },
      { day: '2026-11-20', variationId: 1, users: 1 },
      { day: '2026-11-22', variationId: 1, users: 1 },
      { day: '2026-11-24', variationId: 0, users: 1 },
    ]);
    t.deepEqual(await store.enrollmentsByDay('app', experimentId, 2), [
      { day: '2026-11-24', variationId: 1, users: 1 },
    ]);
    t.deepEqual(await store.enrollmentsByDay('other-app', experimentId, 1), []);
  });

  test(`${name}: a user assigned twice to one experiment is enrolled once, on the first day`, async (t) => {
    const store = await withStore(t);
    const experimentId = uid('daily-once');
    const userId = uid('u');
    const base = { experimentId, bucketVersion: 1, userId };
    await store.assign('app', { ...base, variationId: 1, assignedAt: '2026-11-20T09:00:00.000Z' });
    await store.assign('app', { ...base, variationId: 0, assignedAt: '2026-11-21T09:00:00.000Z' });
    t.deepEqual(await store.enrollmentsByDay('app', experimentId, 1), [
      { day: '2026-11-20', variationId: 1, users: 1 },
    ]);
  });
}
