/**
 * Unity's sign-in in the SDK's own call order (probe n42): Kibotu.Identify(id) only queues
 * `_kb_identify` for the next flush (every 60 s), while GetPersonalizedBanner posts at once
 * under the new id and a People.Set after Identify often lands first too. The player must
 * still keep their variation (control stays control), events and profile, and the
 * experiment count them once. On the old code 20 of 20 sign-ins stayed unlinked, 5–7 of 20
 * re-bucketed into another variation.
 */
import test, { type ExecutionContext } from 'ava';
import { DEMO_KEY, getResults } from '../helpers/banner-client.js';
import { usePostgres } from '../helpers/postgres-server.js';
import { ADMIN, startTestService, type TestService } from '../helpers/start-test-service.js';

const server = usePostgres(test);
const PLAYERS = 12;
const SDK = { 'Content-Type': 'application/json', Authorization: DEMO_KEY };

async function send(s: TestService, path: string, body: unknown): Promise<string> {
  const res = await s.fetch(path, { method: 'POST', headers: SDK, body: JSON.stringify(body) });
  return res.text();
}

/** A render of the champion-spotlight experiment's audience, as Unity's GetPersonalizedBanner sends it. */
async function banner(s: TestService, userId: string) {
  const res = await s.fetch('/ab/getPersonalizedBanner', {
    method: 'POST',
    headers: SDK,
    body: JSON.stringify({ userId, offerId: '1', activeChamp: 'ahri' }),
  });
  return (
    (await res.json()) as { kibotuMetadata: { userId: string; experimentId: string; variationId: number } }
  ).kibotuMetadata;
}

/** The user facts and profile properties explain reads for `id` (through its link, if any). */
async function facts(s: TestService, id: string) {
  const res = await s.fetch('/admin/apps/demo/explain', {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ api: 'banner', user: id, request: { offerId: '1' } }),
  });
  return (
    (await res.json()) as {
      why: { facts: { user: { events: number; purchases: number; properties: Record<string, unknown> } } };
    }
  ).why.facts.user;
}

const meta = (n: number) => ({
  _kb_event_id: `e${n}`,
  _kb_session_id: 's',
  _kb_session_seq_id: n,
  _kb_session_start_sec: 1,
});

async function signIns(t: ExecutionContext, s: TestService, store: string): Promise<void> {
  let [unlinked, changed, lostEvents, lostProfile] = [0, 0, 0, 0];
  for (let i = 0; i < PLAYERS; i++) {
    const [anon, known] = [`${store}-device-${i}`, `${store}-acct-${i}`];
    // Played anonymously: a banner, an event, a profile.
    const before = await banner(s, anon);
    const opened = { event: 'SpecialOfferPopupOpened', properties: { distinct_id: anon, time: Date.now() } };
    t.is(
      await send(s, '/track', [{ ...opened, distinct_id: anon, _kb_metadata: meta(0), id: 'Kibotu.Event0' }]),
      '1',
    );
    t.is(
      await send(s, '/engage', [
        { _kb_set: { device: 'phone', level: 1 }, distinct_id: anon, time: Date.now() },
      ]),
      '1',
    );
    // Identify(known): the banner right away, People.Set at the flush before the events queue's identify.
    await banner(s, known);
    t.is(
      await send(s, '/engage', [
        { _kb_set: { _kb_name: 'Ada', level: 3 }, distinct_id: known, time: Date.now() },
      ]),
      '1',
    );
    const identify = {
      event: '_kb_identify',
      properties: { _kb_anon_distinct_id: anon, distinct_id: known, time: Date.now() },
    };
    t.is(
      await send(s, '/track', [
        { ...identify, distinct_id: known, _kb_metadata: meta(1), id: 'Kibotu.Event1' },
      ]),
      '1',
    );
    // Signed in from here on.
    const later = await banner(s, known);
    const purchased = {
      event: 'SpecialOfferPopupPurchased',
      properties: { distinct_id: known, time: Date.now() },
    };
    t.is(
      await send(s, '/track', [
        { ...purchased, distinct_id: known, _kb_metadata: meta(2), id: 'Kibotu.Event2' },
      ]),
      '1',
    );

    if (later.userId !== anon) unlinked++;
    if (`${later.experimentId}:${later.variationId}` !== `${before.experimentId}:${before.variationId}`)
      changed++;
    const user = await facts(s, known);
    if (user.events !== 3 || user.purchases !== 1) lostEvents++; // Opened, the identify, the purchase
    if (user.properties.device !== 'phone' || user.properties.$name !== 'Ada' || user.properties.level !== 3)
      lostProfile++;
  }
  t.is(unlinked, 0, `${unlinked} of ${PLAYERS} sign-ins not linked to the anonymous player`);
  t.is(changed, 0, `${changed} of ${PLAYERS} players saw another variation after signing in`);
  t.is(lostEvents, 0, `${lostEvents} of ${PLAYERS} players' events split between two users`);
  t.is(lostProfile, 0, `${lostProfile} of ${PLAYERS} players' profiles split between two users`);
  // One player, one user: enrolled and converting once each.
  const { body } = await getResults(s, 'champion-spotlight');
  const sum = (f: (v: (typeof body.variations)[number]) => number) =>
    body.variations.reduce((n, v) => n + f(v), 0);
  t.is(
    sum((v) => v.users),
    PLAYERS,
    'users enrolled',
  );
  t.is(
    sum((v) => v.metrics.SpecialOfferPopupPurchased?.conversions ?? 0),
    PLAYERS,
    'purchasers',
  );
  t.is(
    sum((v) => v.metrics.SpecialOfferPopupOpened?.conversions ?? 0),
    PLAYERS,
    'openers',
  );
}

test.serial(
  'PostgreSQL: a Unity sign-in keeps the player’s variation, events and profile, counted once',
  async (t) => {
    const s = await startTestService(t, {
      env: { OFFERD_STORE: 'postgres', DATABASE_URL: await server().freshDatabase('signin') },
    });
    await signIns(t, s, 'pg');
  },
);

test('lowdb: a Unity sign-in keeps the player’s variation, events and profile, counted once', async (t) => {
  const s = await startTestService(t);
  await signIns(t, s, 'low');
});
