import test from 'ava';
import { MAX_EVENT_METADATA_BYTES, MAX_EVENT_METADATA_VALUES } from '../../src/journeys/journeys-schemas.js';
import { startJourneysService } from '../helpers/journeys-service.js';

/** Metadata whose JSON is exactly `bytes` bytes long. */
const metadataOf = (bytes: number) => ({ note: 'x'.repeat(bytes - '{"note":""}'.length) });

const spin = (externalId: string, metadata: unknown) => ({
  externalId,
  eventType: 'spin',
  category: 'GAME_PLAY',
  metadata,
});

test(`an event's metadata past 4 KB of JSON is a 400 naming it; nothing is stored`, async (t) => {
  const s = await startJourneysService(t, { store: 'lowdb' });
  const over = metadataOf(MAX_EVENT_METADATA_BYTES + 1);
  const one = await s.api('POST', '/events', { body: spin('big', over) });
  t.is(one.status, 400);
  t.like(one.body, { message: 'Invalid request body', code: 400, status: 'error' });
  t.deepEqual(one.body.errors, [
    {
      field: 'metadata',
      message: `holds at most ${MAX_EVENT_METADATA_BYTES} bytes of JSON (4 KB); this one has ${MAX_EVENT_METADATA_BYTES + 1}`,
    },
  ]);
  t.is((await s.api('GET', '/users/big')).status, 404);

  // One such event rejects its whole batch, named by its index.
  const batch = await s.api('POST', '/track', {
    body: { events: [spin('small', { won: true }), spin('big', over)] },
  });
  t.is(batch.status, 400);
  t.deepEqual(
    batch.body.errors.map((e: { field: string }) => e.field),
    ['events[1].metadata'],
  );
  t.is((await s.api('GET', '/users/small')).status, 404);

  // At the bound, and a timeline page of 100 of them stays well under a megabyte.
  const full = Array.from({ length: 100 }, () => spin('full', metadataOf(MAX_EVENT_METADATA_BYTES)));
  t.is((await s.api('POST', '/track', { body: full })).status, 201);
  const page = await s.fetch('/v1/user-journeys/users/full/timeline?limit=100', {
    headers: { 'X-API-Key': 'pk_test_demo' },
  });
  t.is(page.status, 200);
  t.true((await page.text()).length < 500_000);
});

test(`an event's metadata past 256 JSON values is a 400 naming it; nothing is stored`, async (t) => {
  const s = await startJourneysService(t, { store: 'lowdb' });
  // The hostile client's metadata: 4,087 bytes of JSON, 85 KB of heap once stored.
  const probe = { a: Array.from({ length: 1360 }, () => ({})) };
  const one = await s.api('POST', '/events', { body: spin('amp', probe) });
  t.is(one.status, 400);
  t.like(one.body, { message: 'Invalid request body', code: 400, status: 'error' });
  t.deepEqual(one.body.errors, [
    {
      field: 'metadata',
      message: `holds at most ${MAX_EVENT_METADATA_VALUES} JSON values (every object, array and scalar counts one); this one has 1362`,
    },
  ]);
  t.is((await s.api('GET', '/users/amp')).status, 404);
  const batch = await s.api('POST', '/track', {
    body: { events: [spin('small', { won: true }), spin('amp', probe)] },
  });
  t.is(batch.status, 400);
  t.deepEqual(
    batch.body.errors.map((e: { field: string }) => e.field),
    ['events[1].metadata'],
  );
  t.is((await s.api('GET', '/users/small')).status, 404);
});
