import test from 'ava';
import { startTestService } from '../helpers/start-test-service.js';

// Hostile check: journeys GETs (a user's profile with email and phone, its timeline and
// offers) and /admin GETs carried no Cache-Control, so a shared cache keyed on the URL
// could hand one key's answer to another key's client. Banner and offerwall already sent
// no-store; every answer of a client API or /admin now does, errors included.
test('every answer of the journeys API and /admin says no-store, errors included', async (t) => {
  const s = await startTestService(t);
  const journeys = { 'X-API-Key': 'pk_test_demo', 'Content-Type': 'application/json' };
  const event = await s.fetch('/v1/user-journeys/events', {
    method: 'POST',
    headers: journeys,
    body: JSON.stringify({ externalId: 'cached', eventType: 'spin', category: 'GAME_PLAY' }),
  });
  t.is(event.status, 201);
  const admin = { Authorization: 'Bearer demo-admin-token' };
  const answers: [string, Response, number][] = [
    ['journeys event', event, 201],
    ['journeys user', await s.fetch('/v1/user-journeys/users/cached', { headers: journeys }), 200],
    [
      'journeys timeline',
      await s.fetch('/v1/user-journeys/users/cached/timeline', { headers: journeys }),
      200,
    ],
    ['journeys offers', await s.fetch('/v1/user-journeys/users/cached/offers', { headers: journeys }), 200],
    ['journeys unknown user', await s.fetch('/v1/user-journeys/users/nobody', { headers: journeys }), 404],
    ['journeys without key', await s.fetch('/v1/user-journeys/users/cached'), 401],
    ['admin bans', await s.fetch('/admin/apps/demo/bans', { headers: admin }), 200],
    ['admin rules', await s.fetch('/admin/rules', { headers: admin }), 200],
    [
      'admin explain',
      await s.fetch('/admin/apps/demo/explain', {
        method: 'POST',
        headers: { ...admin, 'Content-Type': 'application/json' },
        body: JSON.stringify({ api: 'journeys', user: 'cached' }),
      }),
      200,
    ],
    ['admin without token', await s.fetch('/admin/apps/demo/bans'), 401],
  ];
  for (const [what, res, status] of answers) {
    t.is(res.status, status, what);
    t.is(res.headers.get('cache-control'), 'no-store', what);
  }
  const health = await s.fetch('/healthz');
  t.not(health.headers.get('cache-control'), 'no-store', 'health and reference routes say for themselves');
});
