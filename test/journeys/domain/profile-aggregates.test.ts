import test from 'ava';
import { durationMs } from '../../../src/journeys/domain/duration.js';
import { engagementScore } from '../../../src/journeys/domain/engagement-score.js';
import { aggregateProfile, DAY_MS } from '../../../src/journeys/domain/profile-aggregates.js';
import { parseTemplate, renderTemplate } from '../../../src/journeys/domain/text-template.js';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY_MS).toISOString();
const ev = (days: number, category = 'GAME_PLAY', points = 0, metadata: Record<string, unknown> = {}) => ({
  id: `e${days}${category}`,
  category,
  points,
  occurredAt: ago(days),
  metadata,
});

test('windows are exact: 6.99 days is within 7, 7 days is not', (t) => {
  const a = aggregateProfile(
    { createdAt: ago(1), updatedAt: ago(1) },
    [ev(6.99, 'GAME_PLAY', 5), ev(7), ev(29.99), ev(30)],
    NOW,
  );
  t.is(a.plays7d, 1);
  t.is(a.plays30d, 3);
  t.is(a.pointsEarned7d, 5);
  t.is(a.firstSeenAt, ago(30));
  t.is(a.lastSeenAt, ago(1), 'last seen is the later of the latest event and the last identify');
});

test('re-identifying is activity; backdated history never moves last seen back', (t) => {
  const imported = aggregateProfile({ createdAt: ago(0), updatedAt: ago(0) }, [ev(90), ev(60)], NOW);
  t.is(imported.lastSeenAt, NOW.toISOString(), 'a new player with old history was seen now');
  t.is(imported.firstSeenAt, ago(90));
  const reidentified = aggregateProfile({ createdAt: ago(40), updatedAt: ago(2) }, [ev(40)], NOW);
  t.is(reidentified.daysSinceLastSeen, 2);
});

test('without events a user was last seen when created; spending points is not earning', (t) => {
  const bare = aggregateProfile({ createdAt: ago(3), updatedAt: ago(3) }, [], NOW);
  t.is(bare.daysSinceLastSeen, 3);
  t.is(bare.winRate, 0);
  const spent = aggregateProfile(
    { createdAt: ago(3), updatedAt: ago(3) },
    [ev(1, 'POINTS', -50), ev(1, 'POINTS', 20)],
    NOW,
  );
  t.is(spent.pointsEarned7d, 20);
});

test('campaigns are distinct by campaignId; win rate is wins over plays', (t) => {
  const a = aggregateProfile(
    { createdAt: ago(1), updatedAt: ago(1) },
    [
      { ...ev(1, 'CAMPAIGN'), metadata: { campaignId: 'c' } },
      { ...ev(2, 'CAMPAIGN'), metadata: { campaignId: 'c' } },
      ev(3, 'CAMPAIGN'),
      ev(1, 'GAME_PLAY', 0, { won: true }),
      ev(2),
      ev(4),
    ],
    NOW,
  );
  t.is(a.campaignsJoined, 2);
  t.is(a.winRate, 0.3333);
});

test('the engagement score: 30/30/20/20, each capped', (t) => {
  const model = {
    recency: { weight: 30, cap: 30 },
    frequency: { weight: 30, cap: 30 },
    monetary: { weight: 20, cap: 1000 },
    breadth: { weight: 20, cap: 5 },
  };
  const base = aggregateProfile({ createdAt: ago(0), updatedAt: ago(0) }, [], NOW);
  t.is(engagementScore(model, base).score, 30);
  const maxed = { ...base, plays30d: 99, pointsEarned30d: 5000, campaignsJoined: 9 };
  t.is(engagementScore(model, maxed).score, 100);
  const half = { ...base, daysSinceLastSeen: 15, plays30d: 15, pointsEarned30d: 500, campaignsJoined: 0 };
  t.deepEqual(
    engagementScore(model, half).breakdown.map((p) => p.points),
    [15, 15, 10, 0],
  );
});

test('templates fill dotted paths, fall back on missing values; durations parse', (t) => {
  const parsed = parseTemplate('Hi {{user.name | there}}, {{ profile.plays7d }} plays');
  if ('error' in parsed) return t.fail(parsed.error);
  t.is(renderTemplate(parsed.template, { user: { name: '' }, profile: { plays7d: 0 } }), 'Hi there, 0 plays');
  t.is(renderTemplate(parsed.template, { user: { name: 'Ada' } }), 'Hi Ada,  plays');
  t.true('error' in parseTemplate('oops {{ x'));
  t.is(durationMs('90m'), 90 * 60_000);
  t.is(durationMs('2w'), 14 * DAY_MS);
  t.throws(() => durationMs('7 days'));
});

test('a player value inside offer text is plain text: no markup, no control characters, bounded', (t) => {
  const parsed = parseTemplate('Welcome back, {{ user.displayName | player }}!');
  if (!('template' in parsed)) return t.fail(parsed.error);
  const hostile = '<img src=x onerror="alert(1)">\u0000Bob\u202e';
  const out = renderTemplate(parsed.template, { user: { displayName: hostile } });
  for (const bad of ['<', '>', '"', '\u0000', '\u202e']) t.false(out.includes(bad), JSON.stringify(bad));
  t.true(out.includes('Bob'));
  const long = renderTemplate(parsed.template, { user: { displayName: 'x'.repeat(500) } });
  t.true(long.length <= 'Welcome back, !'.length + 64);
  t.is(renderTemplate(parsed.template, { user: { displayName: '<>' } }), 'Welcome back, player!');
});
