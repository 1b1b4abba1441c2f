import { readFile } from 'node:fs/promises';
import test from 'ava';
import { rankOffers } from '../../../src/domain/offerwall/decide.js';
import type { OfferPage } from '../../../src/domain/offerwall/offer.js';
import { DEFAULT_RANKING } from '../../../src/domain/offerwall/ranking.js';
import {
  clickUrl,
  PersonalizedJson,
  type RenderOptions,
  renderPersonalized,
} from '../../../src/features/offerwall/offerwall-response.js';

// The route sends PersonalizedJson's text; it must be exactly JSON.stringify of the
// documented object, whatever the user id, sid3 and options.

const WALL = {
  appId: 'demo',
  wallId: 1001,
  publisherId: 1,
  secrets: { clickSecret: 'sécret key', postbackSecret: 'p' },
};

const AWKWARD = ['u-1', 'a b', "o'neil!(x)~*", 'ü/ß?&=#%', '+plus+', 'emoji 😀', ''];

test('the serialized personalized body is JSON.stringify of renderPersonalized, byte for byte', async (t) => {
  const page = JSON.parse(await readFile('config/catalogs/demo-1001.json', 'utf8')) as OfferPage;
  const json = new PersonalizedJson();
  const ranking = rankOffers({
    offers: page.offers,
    targeting: { country: 'DE', device: null, osVersion: null, bidFloor: null },
    progress: new Map(),
    effects: [{ ruleId: 'b', boost: { offerTypes: [2, 3], by: 0.1 } }],
    model: DEFAULT_RANKING,
    completedOffers: 'hide',
    affinity: { Games: 0.5 },
    now: new Date('2026-11-20T00:00:00Z'),
    limit: 25,
  });
  t.true(ranking.offers.length > 10);
  let checked = 0;
  for (const uid of AWKWARD.filter((u) => u !== '')) {
    for (const sid3 of [null, ...AWKWARD]) {
      for (const includeSortmetric of [true, false]) {
        const o: RenderOptions = {
          wall: WALL,
          uid,
          sid3,
          baseUrl: 'https://offers.example.com',
          includeSortmetric,
          supportId: 99120001,
          experimentId: sid3 === null ? null : 'exp-1',
          bidFloor: includeSortmetric ? 12.5 : null,
        };
        // Twice: the second time every catalog offer comes from the cache.
        t.is(json.render(ranking, o).toString('utf8'), JSON.stringify(renderPersonalized(ranking, o)));
        t.is(json.render(ranking, o).toString('utf8'), JSON.stringify(renderPersonalized(ranking, o)));
        checked++;
      }
    }
  }
  t.is(checked, 96);
  const empty = { ...ranking, offers: [] };
  const o = {
    wall: WALL,
    uid: 'x',
    sid3: null,
    baseUrl: 'http://h',
    includeSortmetric: false,
    supportId: 1,
    experimentId: null,
    bidFloor: null,
  };
  t.is(json.render(empty, o).toString('utf8'), JSON.stringify(renderPersonalized(empty, o)));
  // After a small body the next one starts small and has to grow several times.
  t.is(json.render(ranking, o).toString('utf8'), JSON.stringify(renderPersonalized(ranking, o)));
  t.regex(clickUrl(o, 10161), /^http:\/\/h\/api\/v1\/click\?wall=1001&uid=x&offer=10161&sig=[0-9a-f]{64}$/);
});
