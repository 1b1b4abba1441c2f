import { readFile } from 'node:fs/promises';
import test from 'ava';
import { rankOffers } from '../../src/offerwall/domain/decide.js';
import type { OfferPage } from '../../src/offerwall/domain/offer.js';
import type { OfferProgress, ProgressStatus } from '../../src/offerwall/domain/progress.js';
import { DEFAULT_RANKING } from '../../src/offerwall/domain/ranking.js';
import { ruleEffect } from '../../src/offerwall/domain/rule-effects.js';
import { CLICK_GROUP } from '../../src/offerwall/domain/signatures.js';
import type { RenderOptions } from '../../src/offerwall/offerwall-response.js';
import { PersonalizedJson } from '../../src/offerwall/personalized-json.js';
import { progressRecord } from '../helpers/random-ranking.js';
import { clickUrl, renderPersonalized } from '../helpers/reference-offerwall-json.js';

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
  // Offers in progress, completed but shown (not eligible), and one with a status no
  // code writes: every combination the body spells differently.
  const statuses = ['in_progress', 'completed', 'in_progress', 'paused'] as ProgressStatus[];
  const input = {
    offers: page.offers,
    targeting: { country: 'DE', device: null, osVersion: null, bidFloor: null },
    progress: new Map<number, OfferProgress>(),
    effects: [ruleEffect({ ruleId: 'b', boost: { offerTypes: [2, 3], by: 0.1 } })],
    model: DEFAULT_RANKING,
    completedOffers: 'show' as const,
    affinity: { Games: 0.5 },
    now: new Date('2026-11-20T00:00:00Z'),
    limit: 25,
  };
  const progress = new Map(
    rankOffers(input)
      .offers.slice(0, 12)
      .flatMap(({ offer }, k) => {
        const status = statuses[k % 4];
        return k % 3 === 0 || !status ? [] : [[offer.offer_id, progressRecord(offer, status)] as const];
      }),
  );
  // Completed offers come after every earnable one: a limit that keeps them all.
  const ranking = rankOffers({ ...input, progress, limit: 500 });
  t.true(ranking.offers.length > 2 * CLICK_GROUP, 'several groups of click links, the last one short');
  t.not(ranking.offers.length % CLICK_GROUP, 0);
  const seen = new Set(ranking.offers.map((r) => `${r.eligible}:${r.progress?.status ?? null}`));
  t.deepEqual([...seen].sort(), ['false:completed', 'true:in_progress', 'true:null', 'true:paused']);
  let checked = 0;
  // Bodies share slabs: every one must still read the same after all the later ones.
  const sent: [Buffer, string][] = [];
  for (const uid of AWKWARD.filter((u) => u !== '')) {
    for (const sid3 of [null, ...AWKWARD]) {
      for (const includeSortmetric of [true, false]) {
        const o: RenderOptions = {
          wall: WALL,
          uid,
          sid3,
          baseUrl: 'https://offers.example.com',
          exp: 1_767_225_600 + checked,
          includeSortmetric,
          supportId: 99120001,
          experimentId: sid3 === null ? null : 'exp-1',
          bidFloor: includeSortmetric ? 12.5 : null,
        };
        // Twice: the second time every catalog offer comes from the cache.
        const expected = JSON.stringify(renderPersonalized(ranking, o));
        const body = json.render(ranking, o);
        t.is(body.toString('utf8'), expected);
        t.is(json.render(ranking, o).toString('utf8'), expected);
        sent.push([body, expected]);
        checked++;
      }
    }
  }
  t.is(checked, 96);
  t.true(sent.reduce((n, [b]) => n + b.length, 0) > 4 * 1024 * 1024, 'the bodies span several slabs');
  t.true(sent.every(([body, expected]) => body.toString('utf8') === expected));
  const empty = { ...ranking, offers: [] };
  const o = {
    wall: WALL,
    uid: 'x',
    sid3: null,
    baseUrl: 'http://h',
    exp: 1_767_225_600,
    includeSortmetric: false,
    supportId: 1,
    experimentId: null,
    bidFloor: null,
  };
  t.is(json.render(empty, o).toString('utf8'), JSON.stringify(renderPersonalized(empty, o)));
  // After a small body the next one starts small and has to grow several times.
  t.is(json.render(ranking, o).toString('utf8'), JSON.stringify(renderPersonalized(ranking, o)));
  t.is(
    clickUrl(o, 10161, { offerIds: [10042, 10161], sig: 'f00d' }),
    'http://h/api/v1/click?wall=1001&uid=x&offer=10161&offers=10042,10161&exp=1767225600&sig=f00d',
  );
  // An id no click can name (beyond 2^53) keeps its link, and stays out of its group's list.
  const odd = {
    ...ranking,
    offers: ranking.offers.map((r, k) => (k === 3 ? { ...r, offer: { ...r.offer, offer_id: 1e21 } } : r)),
  };
  const oddBody = json.render(odd, o).toString('utf8');
  t.is(oddBody, JSON.stringify(renderPersonalized(odd, o)));
  const oddLink = new URL(
    (JSON.parse(oddBody) as { offers: { click_url: string }[] }).offers[3]?.click_url ?? '',
  );
  t.is(oddLink.searchParams.get('offer'), '1e+21');
  t.is(oddLink.searchParams.get('offers')?.split(',').length, CLICK_GROUP - 1);
});
