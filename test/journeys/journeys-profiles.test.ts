import test from 'ava';
import { plays, startJourneysService } from '../helpers/journeys-service.js';

test('POST /users upserts: 200 on create and update (as documented), given fields only, tags merged, country upper-cased', async (t) => {
  const s = await startJourneysService(t);
  const created = await s.api('POST', '/users', {
    body: {
      externalId: 'ada',
      displayName: 'Ada',
      country: 'de',
      device: 'mobile',
      tags: { vip: true, level: 3 },
    },
  });
  t.is(created.status, 200);
  t.like(created.body.data, {
    externalId: 'ada',
    displayName: 'Ada',
    country: 'DE',
    device: 'mobile',
    environment: 'TEST',
    partnerId: 'demo',
    email: '',
  });
  t.is(created.body.data.lifecycleStage, 'new');
  const updated = await s.api('POST', '/users', {
    body: { externalId: 'ada', email: 'ada@example.com', tags: { vip: null, team: 'red' }, unknownField: 1 },
  });
  t.is(updated.status, 200);
  t.like(updated.body.data, { id: created.body.data.id, displayName: 'Ada', email: 'ada@example.com' });
  t.deepEqual(updated.body.data.tags, { level: 3, team: 'red' });
  // UK is GB, as the banner API reads it: one rule on the country holds for both.
  const uk = await s.api('POST', '/users', { body: { externalId: 'ada', country: 'uk' } });
  t.is(uk.body.data.country, 'GB');
});

test('POST /users names every invalid field', async (t) => {
  const s = await startJourneysService(t);
  const res = await s.api('POST', '/users', {
    body: {
      phone: '+49 123 456 789 012 345',
      country: 'DEU',
      device: 'watch',
      email: 'nope',
      tags: { a: [1] },
    },
  });
  t.is(res.status, 400);
  t.is(res.body.status, 'error');
  t.is(res.body.code, 400);
  t.deepEqual(res.body.errors.map((e: { field: string }) => e.field).sort(), [
    'country',
    'device',
    'email',
    'externalId',
    'phone',
    'tags.a',
  ]);
});

test('POST /users: null tags or metadata are as if absent (Dart sends nulls), the stored ones stay', async (t) => {
  const s = await startJourneysService(t);
  const created = await s.api('POST', '/users', {
    body: { externalId: 'dart', tags: { vip: true }, metadata: { a: 1 } },
  });
  t.is(created.status, 200);
  const nulls = await s.api('POST', '/users', {
    body: { externalId: 'dart', displayName: 'Dart', email: null, tags: null, metadata: null },
  });
  t.is(nulls.status, 200, JSON.stringify(nulls.body));
  t.like(nulls.body.data, { displayName: 'Dart', tags: { vip: true }, metadata: { a: 1 } });
  const fresh = await s.api('POST', '/users', { body: { externalId: 'dart-2', tags: null, metadata: null } });
  t.is(fresh.status, 200, JSON.stringify(fresh.body));
  t.like(fresh.body.data, { tags: {}, metadata: {} });
});

test('POST /users: a bad device is told the values it may take, null among them', async (t) => {
  const s = await startJourneysService(t);
  const res = await s.api('POST', '/users', { body: { externalId: 'dev', device: 'watch' } });
  t.is(res.status, 400);
  t.deepEqual(res.body.errors, [
    { field: 'device', message: 'must be one of mobile, desktop, tablet, null' },
  ]);
});

test('a blank externalId, one with a control character or a lone surrogate, or . or .. (no URL names them), is refused by POST /users and POST /events', async (t) => {
  const s = await startJourneysService(t);
  for (const externalId of ['', '   ', '\t', 'nul\u0000id', 'line\nbreak', '\ud800', 'a\udc00b', '.', '..']) {
    const user = await s.api('POST', '/users', { body: { externalId } });
    t.is(user.status, 400, JSON.stringify(externalId));
    t.deepEqual(
      user.body.errors.map((e: { field: string }) => e.field),
      ['externalId'],
    );
    const event = await s.api('POST', '/events', {
      body: { externalId, eventType: 'spin', category: 'GAME_PLAY' },
    });
    t.is(event.status, 400, JSON.stringify(externalId));
    t.deepEqual(
      event.body.errors.map((e: { field: string }) => e.field),
      ['externalId'],
    );
  }
  t.is((await s.api('GET', `/users/${encodeURIComponent('   ')}`)).status, 404);
  const named = await s.api('POST', '/users', { body: { externalId: 'line\nbreak' } });
  t.like(named.body.errors[0], {
    message:
      'must hold a visible character, and no control or invisible character or lone surrogate, and not be . or ..',
  });
  // NUL and lone surrogates are no text anywhere in a body: the edge names them first.
  const nul = await s.api('POST', '/users', { body: { externalId: 'nul\u0000id' } });
  t.like(nul.body.errors[0], { field: 'externalId', message: 'holds a NUL character (\\u0000)' });
  // Letters of any script, emoji (a surrogate pair) and inner spaces stay valid ids.
  for (const externalId of ['Zoë', 'игрок 7', '🎮-1', ' padded ', '...', '.a', 'a..']) {
    t.is((await s.api('POST', '/users', { body: { externalId } })).status, 200, externalId);
  }
  const batch = await s.api('POST', '/track', {
    body: { events: [{ externalId: 'x\u0000', eventType: 'spin', category: 'GAME_PLAY' }] },
  });
  t.is(batch.status, 400);
  t.like(batch.body.errors[0], { field: 'events[0].externalId' });
});

test('the profile aggregates the events: plays, points, campaigns, win rate, first and last seen', async (t) => {
  const s = await startJourneysService(t);
  const at = (days: number) => s.clock.ago(days);
  const events = [
    {
      externalId: 'agg',
      eventType: 'spin',
      category: 'GAME_PLAY',
      points: 10,
      occurredAt: at(1),
      metadata: { won: true },
    },
    { externalId: 'agg', eventType: 'spin', category: 'GAME_PLAY', points: 5, occurredAt: at(2) },
    { externalId: 'agg', eventType: 'spin', category: 'game_play', points: 0, occurredAt: at(6.9) },
    {
      externalId: 'agg',
      eventType: 'spin',
      category: 'GAME_PLAY',
      points: 100,
      occurredAt: at(20),
      metadata: { won: true },
    },
    { externalId: 'agg', eventType: 'spin', category: 'GAME_PLAY', points: 1000, occurredAt: at(45) },
    {
      externalId: 'agg',
      eventType: 'join',
      category: 'CAMPAIGN',
      occurredAt: at(3),
      metadata: { campaignId: 'c1' },
    },
    {
      externalId: 'agg',
      eventType: 'join',
      category: 'CAMPAIGN',
      occurredAt: at(2),
      metadata: { campaignId: 'c1' },
    },
    {
      externalId: 'agg',
      eventType: 'join',
      category: 'CAMPAIGN',
      occurredAt: at(1),
      metadata: { campaignId: 'c2' },
    },
    { externalId: 'agg', eventType: 'spend', category: 'POINTS', points: -50, occurredAt: at(1) },
  ];
  t.is((await s.api('POST', '/track', { body: { events } })).status, 201);
  const profile = (await s.api('GET', '/users/agg')).body.data;
  t.like(profile, {
    totalPlays: 5,
    plays7d: 3,
    plays30d: 4,
    pointsEarned7d: 15,
    pointsEarned30d: 115,
    campaignsJoined: 2,
    winRate: 0.4,
    totalEvents: 9,
    firstSeenAt: at(45),
    // The profile was created by this import: its player was seen now, not 1 day ago.
    lastSeenAt: at(0),
  });
  t.true(profile.engagementScore > 0 && profile.engagementScore <= 100);
  t.true(Array.isArray(profile.recommendations));
  for (const key of [
    'lifecycleStage',
    'engagementTier',
    'churnRisk',
    'tags',
    'metadata',
    'phone',
    'source',
  ]) {
    t.true(key in profile, key);
  }
});

test('a user last seen 10 days ago is active: the docs’ 7–14-day gap is not yet at risk', async (t) => {
  const s = await startJourneysService(t);
  // The import creates the profile now; ten days later nothing new has been seen.
  const importedAt = s.clock.ago(0);
  await s.api('POST', '/track', { body: plays('gap', 6, s.clock, 10) });
  s.clock.advance(10 * 86_400_000);
  const profile = (await s.api('GET', '/users/gap')).body.data;
  t.is(profile.lastSeenAt, importedAt);
  t.is(profile.lifecycleStage, 'active');
  t.is(profile.engagementTier, 'regular');
});

test('POST /events: 201 with the event; a retry with the same clientEventId is recognised (200, same id)', async (t) => {
  const s = await startJourneysService(t);
  const body = {
    externalId: 'ev',
    eventType: 'spin',
    category: 'GAME_PLAY',
    points: 5,
    clientEventId: 'c-1',
  };
  const first = await s.api('POST', '/events', { body });
  t.is(first.status, 201);
  t.like(first.body.data.event, { externalId: 'ev', environment: 'TEST', category: 'GAME_PLAY', points: 5 });
  t.false(first.body.data.duplicate);
  const retry = await s.api('POST', '/events', { body });
  t.is(retry.status, 200);
  t.true(retry.body.data.duplicate);
  t.is(retry.body.data.event.id, first.body.data.event.id);
  t.is((await s.api('GET', '/users/ev/timeline')).body.data.total, 1);
});

test("POST /events and /track: a clientEventId is the user's: another user's event with it is stored, and never answered with the first user's", async (t) => {
  const s = await startJourneysService(t);
  const body = (externalId: string, points: number) => ({
    externalId,
    eventType: 'spin',
    category: 'GAME_PLAY',
    points,
    clientEventId: 'tb-1',
    metadata: { owner: externalId },
  });
  const first = await s.api('POST', '/events', { body: body('jn-1', 7) });
  t.is(first.status, 201);
  const other = await s.api('POST', '/events', { body: body('jn-2', 3) });
  t.is(other.status, 201);
  t.false(other.body.data.duplicate);
  t.like(other.body.data.event, { externalId: 'jn-2', points: 3, metadata: { owner: 'jn-2' } });
  t.not(other.body.data.event.id, first.body.data.event.id);
  // Ids repeated in one batch: one event per user, each user's own.
  const batch = await s.api('POST', '/track', {
    body: [body('jn-3', 1), body('jn-4', 2), body('jn-3', 9), body('jn-1', 9)],
  });
  t.is(batch.status, 201);
  t.like(batch.body.data, { accepted: 2, duplicates: 2 });
  for (const [user, points] of [
    ['jn-1', 7],
    ['jn-2', 3],
    ['jn-3', 1],
    ['jn-4', 2],
  ] as const) {
    const timeline = (await s.api('GET', `/users/${user}/timeline`)).body.data;
    t.is(timeline.total, 1, user);
    t.like(timeline.events[0], { externalId: user, points, clientEventId: 'tb-1' }, user);
  }
});

test('POST /events rejects bad input by field, and events from the future', async (t) => {
  const s = await startJourneysService(t);
  const bad = await s.api('POST', '/events', {
    body: { externalId: '', category: 'GAME PLAY', points: 1.5 },
  });
  t.is(bad.status, 400);
  t.deepEqual(bad.body.errors.map((e: { field: string }) => e.field).sort(), [
    'category',
    'eventType',
    'externalId',
    'points',
  ]);
  const future = await s.api('POST', '/events', {
    body: { externalId: 'f', eventType: 'spin', category: 'GAME_PLAY', occurredAt: s.clock.ago(-1) },
  });
  t.deepEqual(future.body.errors, [{ field: 'occurredAt', message: 'must not be in the future' }]);
  t.is((await s.api('POST', '/events', { body: [] })).status, 400);
});

test('POST /track: every bad item reported by index and nothing stored; a bare array works too', async (t) => {
  const s = await startJourneysService(t);
  const good = plays('batch', 2, s.clock);
  const res = await s.api('POST', '/track', {
    body: {
      events: [
        good[0],
        { externalId: 'batch', category: 'GAME_PLAY' },
        good[1],
        { eventType: 'x', category: '' },
      ],
    },
  });
  t.is(res.status, 400);
  t.deepEqual(res.body.errors.map((e: { field: string }) => e.field).sort(), [
    'events[1].eventType',
    'events[3].category',
    'events[3].externalId',
  ]);
  t.is((await s.api('GET', '/users/batch')).status, 404, 'nothing was stored');
  const bare = await s.api('POST', '/track', {
    body: [
      { ...good[0], clientEventId: 'b-1' },
      { ...good[1], clientEventId: 'b-1' },
    ],
  });
  t.is(bare.status, 201);
  t.like(bare.body.data, { accepted: 1, duplicates: 1 });
  const tooMany = await s.api('POST', '/track', { body: plays('batch', 101, s.clock) });
  t.deepEqual(tooMany.body.errors, [{ field: 'events', message: 'must NOT have more than 100 items' }]);
});

test('timeline: newest first, paged (default 20, max 100), meta with totalPages, validated', async (t) => {
  const s = await startJourneysService(t);
  await s.api('POST', '/track', { body: plays('tl', 25, s.clock) });
  const first = await s.api('GET', '/users/tl/timeline');
  t.is(first.status, 200);
  t.is(first.body.data.events.length, 20);
  t.like(first.body.data, { page: 1, limit: 20, total: 25 });
  t.deepEqual(first.body.meta, { page: 1, limit: 20, total: 25, totalPages: 2 });
  const times = first.body.data.events.map((e: { occurredAt: string }) => e.occurredAt);
  t.deepEqual(times, [...times].sort().reverse());
  t.deepEqual(Object.keys(first.body.data.events[0]).sort(), [
    'category',
    'clientEventId',
    'environment',
    'eventType',
    'externalId',
    'id',
    'metadata',
    'occurredAt',
    'partnerId',
    'points',
  ]);
  const second = await s.api('GET', '/users/tl/timeline?page=2&limit=20');
  t.is(second.body.data.events.length, 5);
  t.is((await s.api('GET', '/users/tl/timeline?limit=100')).body.data.events.length, 25);
  for (const q of ['limit=101', 'limit=0', 'page=0', 'page=x', 'limit=2.5']) {
    const res = await s.api('GET', `/users/tl/timeline?${q}`);
    t.is(res.status, 400, q);
  }
  t.is((await s.api('GET', '/users/nobody/timeline')).status, 404);
});
