import test from 'ava';
import { openPostgresStore } from '../../../src/apis.js';
import type { NewOffer } from '../../../src/journeys/domain/journey-types.js';
import { usePostgres } from '../../helpers/postgres-server.js';

const server = usePostgres(test);
const P = { appId: 'demo', environment: 'test' } as const;
const NOW = new Date('2026-11-20T12:00:00.000Z');

// createOfferChunk writes each column as one array literal it builds itself: every
// character PostgreSQL's array syntax gives a meaning to must come back as written.
test('offers created in a batch read back exactly, whatever their text holds', async (t) => {
  const store = await openPostgresStore(await server().freshDatabase('offertext'), { max: 2 });
  t.teardown(() => store.close());
  const s = store.journeys;
  const texts = [
    'plain',
    '',
    ' leading and trailing ',
    'a "quoted" word',
    'back\\slash and \\"both\\"',
    '{braces}, commas, NULL',
    'NULL',
    'ünïcödé — ☃ 🎰',
    'line\nbreak\ttab',
  ];
  let n = 0;
  const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const users = texts.map((_, i) => `user ${i}, "x"`);
  for (const externalId of users) await s.upsertUser(P, { externalId }, NOW, id);
  const offers: NewOffer[] = texts.map((text, i) => ({
    id: id(),
    externalId: users[i] as string,
    offerType: `type {${i}}`,
    gameType: i % 2 === 0 ? null : text,
    title: text,
    description: texts[texts.length - 1 - i] as string,
    pointsValue: i * 10,
    createdAt: NOW.toISOString(),
    expiresAt: '2026-11-21T12:00:00.000Z',
    metadata: { text, nested: { quote: '"', backslash: '\\', braces: '{}' }, n: i },
    notOfferedSince: null,
  }));
  const result = await s.createOffers(
    P,
    offers,
    { maxActiveOffers: 3, maxActivePerType: 1, inactivityDays: 60 },
    NOW,
  );
  t.is(result.rejected.length, 0);
  for (const [i, o] of offers.entries()) {
    const [stored] = await s.userOffers(P, o.externalId);
    const { notOfferedSince: _, ...expected } = o;
    t.deepEqual(stored, { ...expected, status: 'active', claimedAt: null }, texts[i]);
    t.deepEqual(result.created[i], stored);
  }
});
