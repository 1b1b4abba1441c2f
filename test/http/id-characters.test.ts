import test from 'ava';
import { DEMO_KEY } from '../helpers/banner-client.js';
import { startJourneysService } from '../helpers/journeys-service.js';

// Hostile probe: C0 (`\u0007`) was refused in ids, but C1, the line separators and bidi
// overrides gave 200: `\u202egnp.exe` reads as `exe.png` wherever the id is shown.
const BAD_IDS = [
  'a\u0085b',
  'a\u009fb',
  '\u202egnp.exe',
  'a\u2028b',
  'a\u2029b',
  'a\u202ab',
  'a\u2066b',
  'a\u2069b',
  'a\u200eb',
  'a\u200fb',
  'a\u061cb',
  'a\u0007b',
  // Characters that show as nothing (second hostile probe: `bob` and `bob\u200b` were two users).
  'bob\u200b',
  'bob\u00ad',
  'bob\u2060',
  'bob\ufeff',
  'bob\u3164',
  'bob\ufff9',
  // Still passing after it (the next check): deprecated format characters, fillers.
  'bob\u206a',
  'bob\u206f',
  'bob\u115f',
  'bob\u1160',
  'bob\u17b4',
  'bob\u{1d173}',
  'bob\u{1bca0}',
];
// Letters of any script (right-to-left ones too), emoji and inner spaces stay ids.
const GOOD_IDS = [
  'Zoë',
  'игрок 7',
  'לאה',
  'لاعب',
  '🎮-1',
  'a\u00a0b',
  'می\u200cخواهم',
  '👨\u200d👩\u200d👧',
  '🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}',
  'ᠠ\u180eᠡ',
  '\u2764\ufe0f-7',
  '\u845b\u{e0100}',
];

test('ids with a C1 control, a line separator, a bidi control or an invisible character are refused, naming the field, on every API', async (t) => {
  const s = await startJourneysService(t);
  const post = async (path: string, body: unknown) => {
    const res = await s.fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  for (const id of [...BAD_IDS, ...GOOD_IDS]) {
    const bad = BAD_IDS.includes(id);
    const name = `${JSON.stringify(id)} ${bad ? 'refused' : 'kept'}`;
    const banner = await post('/ab/getPersonalizedBanner?ip=0', { userId: id, offerId: '1' });
    t.is(banner.status, bad ? 400 : 200, `banner ${name}`);
    if (bad) t.like(banner.body, { code: 'INVALID_INPUT', errors: [{ field: 'userId' }] });

    const track = await post('/track?ip=0&verbose=1', [
      { event: 'spin', properties: { distinct_id: id, time: Date.now() } },
    ]);
    // The SDK's envelope: a bad record is refused alone, named by its index (status 0).
    t.like(track.body, { status: bad ? 0 : 1 }, `track ${name}`);
    if (bad) t.like(track.body, { failed_records: [{ index: 0, field: 'properties.distinct_id' }] });

    const user = await s.api('POST', '/users', { body: { externalId: id } });
    t.is(user.status, bad ? 400 : 200, `journeys user ${name}`);
    const event = await s.api('POST', '/events', {
      body: { externalId: id, eventType: 'spin', category: 'GAME_PLAY' },
    });
    t.is(event.status, bad ? 400 : 201, `journeys event ${name}`);
    // A client's event id is shown in the timeline as the user's id is: it holds what an id may.
    const clientEvent = await s.api('POST', '/events', {
      body: { externalId: 'plain', eventType: 'spin', category: 'GAME_PLAY', clientEventId: id },
    });
    t.is(clientEvent.status, bad ? 400 : 201, `journeys clientEventId ${name}`);
    if (bad)
      t.deepEqual(
        clientEvent.body.errors.map((e: { field: string }) => e.field),
        ['clientEventId'],
      );
    if (bad) {
      t.deepEqual(
        [user.body.errors, event.body.errors].map((e: { field: string }[]) => e.map((x) => x.field)),
        [['externalId'], ['externalId']],
      );
    }
  }
  // The offerwall takes printable ASCII uids only: each of these is its INVALID_PARAMETER.
  for (const id of BAD_IDS) {
    const res = await s.fetch(`/api/v1/users/${encodeURIComponent(id)}/personalized?wall=1001&ip=8.8.8.8`);
    t.is(res.status, 400, `offerwall ${JSON.stringify(id)}`);
    t.like(await res.json(), { status: 'failure', error: { code: 'INVALID_PARAMETER' } });
  }
});
