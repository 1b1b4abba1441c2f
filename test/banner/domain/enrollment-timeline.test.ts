import test from 'ava';
import { enrollmentTimeline, TIMELINE_DAYS } from '../../../src/banner/domain/enrollment-timeline.js';

const now = new Date('2026-11-24T15:00:00.000Z');

test('every day from the first enrollment to today is present, empty days as 0', (t) => {
  const timeline = enrollmentTimeline(
    [
      { day: '2026-11-20', variationId: 0, users: 3 },
      { day: '2026-11-20', variationId: 1, users: 1 },
      { day: '2026-11-22', variationId: 1, users: 2 },
    ],
    [0, 1, 2],
    now,
  );
  t.deepEqual(timeline.days, ['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']);
  t.deepEqual(timeline.variations, [
    { variationId: 0, enrolledBefore: 0, enrolled: [3, 0, 0, 0, 0] },
    { variationId: 1, enrolledBefore: 0, enrolled: [1, 0, 2, 0, 0] },
    { variationId: 2, enrolledBefore: 0, enrolled: [0, 0, 0, 0, 0] },
  ]);
});

test('a long experiment shows its last 90 days, the older users counted as enrolled before', (t) => {
  const timeline = enrollmentTimeline(
    [
      { day: '2026-01-01', variationId: 0, users: 7 },
      { day: '2026-08-26', variationId: 0, users: 4 },
      { day: '2026-08-27', variationId: 0, users: 5 },
    ],
    [0],
    now,
  );
  t.is(timeline.days.length, TIMELINE_DAYS);
  t.is(timeline.days[0], '2026-08-27');
  t.is(timeline.days.at(-1), '2026-11-24');
  t.is(timeline.variations[0]?.enrolledBefore, 11);
  t.is(timeline.variations[0]?.enrolled[0], 5);
});

test('an experiment nobody entered has no days; an enrollment after today extends the window', (t) => {
  t.deepEqual(enrollmentTimeline([], [0, 1], now), {
    days: [],
    variations: [
      { variationId: 0, enrolledBefore: 0, enrolled: [] },
      { variationId: 1, enrolledBefore: 0, enrolled: [] },
    ],
  });
  const skewed = enrollmentTimeline([{ day: '2026-11-25', variationId: 0, users: 1 }], [0], now);
  t.deepEqual(skewed.days, ['2026-11-25']);
  t.deepEqual(skewed.variations[0]?.enrolled, [1]);
});
