import test from 'ava';
import type { CatalogOffer } from '../../../src/offerwall/domain/offer.js';
import {
  RETIRED_OFFERS_MAX,
  retireAfterSync,
  stillAttributable,
} from '../../../src/offerwall/domain/retired-offers.js';

const offer = (id: number, days = 30, eventDays = days): CatalogOffer =>
  ({
    offer_id: id,
    attribution_window_days: days,
    events: [{ event_id: 'base', attribution_window_days: eventDays }],
  }) as unknown as CatalogOffer;
const DAY = 86_400_000;

test('a sync retires what it leaves out, keeps earlier retired ones in their window, and drops those back live', (t) => {
  const at = '2026-11-20T00:00:00.000Z';
  const earlier = [
    { offer: offer(7, 10), retiredAt: '2026-11-01T00:00:00.000Z' }, // window ended on 11-11
    { offer: offer(8, 30), retiredAt: '2026-11-01T00:00:00.000Z' },
    { offer: offer(9, 30), retiredAt: '2026-11-10T00:00:00.000Z' },
  ];
  const retired = retireAfterSync([offer(1), offer(2), offer(3)], earlier, [offer(2), offer(9)], at);
  t.deepEqual(
    retired.map((r) => [r.offer.offer_id, r.retiredAt]),
    [
      [1, at],
      [3, at],
      [8, '2026-11-01T00:00:00.000Z'],
    ],
  );
});

test('the longest window of the offer and its events counts', (t) => {
  const r = { offer: offer(1, 1, 5), retiredAt: '2026-11-20T00:00:00.000Z' };
  const start = Date.parse(r.retiredAt);
  t.true(stillAttributable(r, start + 4 * DAY));
  t.false(stillAttributable(r, start + 5 * DAY));
});

test('at most RETIRED_OFFERS_MAX are kept, the most recently retired', (t) => {
  const many = Array.from({ length: RETIRED_OFFERS_MAX + 50 }, (_, i) => offer(i + 1));
  const older = [{ offer: offer(999_999), retiredAt: '2026-11-19T00:00:00.000Z' }];
  const retired = retireAfterSync(many, older, [], '2026-11-20T00:00:00.000Z');
  t.is(retired.length, RETIRED_OFFERS_MAX);
  t.false(retired.some((r) => r.offer.offer_id === 999_999));
});
