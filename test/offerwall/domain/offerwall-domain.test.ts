import test from 'ava';
import { findBlockingBan } from '../../../src/offerwall/domain/bans.js';
import { type RankingInput, rankOffers } from '../../../src/offerwall/domain/decide.js';
import {
  compareVersions,
  osVersionFromUserAgent,
  platformFromUserAgent,
} from '../../../src/offerwall/domain/device.js';
import { type Targeting, targetingVerdict } from '../../../src/offerwall/domain/eligibility.js';
import type { CatalogOffer } from '../../../src/offerwall/domain/offer.js';
import { type OfferProgress, userHistory } from '../../../src/offerwall/domain/progress.js';
import { DEFAULT_RANKING } from '../../../src/offerwall/domain/ranking.js';
import { applyEffects } from '../../../src/offerwall/domain/rule-effects.js';
import {
  type ClickLinkInput,
  signClick,
  verifyClick,
  verifyPostback,
} from '../../../src/offerwall/domain/signatures.js';

const NOW = new Date('2026-11-20T00:00:00Z');
const noWeights = { epc: 0, conversionRate: 0, userReward: 0, payout: 0, freshness: 0, affinity: 0 };

function offer(id: number, over: Partial<CatalogOffer> = {}): CatalogOffer {
  return {
    offer_id: id,
    offer_name: `o${id}`,
    headline: '',
    description: '',
    offer_terms: '',
    label: '',
    category: 'Games',
    offer_type: 4,
    total_user_reward: 1000,
    payout: 2,
    attribution_window_days: 30,
    events: [
      {
        event_id: 'base',
        name: 'b',
        user_reward: 1000,
        payout: 2,
        conversion_type: 1,
        attribution_window_days: 30,
      },
    ],
    platform: null,
    countries: [],
    min_os_version: null,
    epc: 0.5,
    conversion_rate: 0.1,
    tracking_delay: 'instant',
    creatives: [],
    click_url_base: 'https://x.example/{uid}',
    created_at: '2026-11-01T00:00:00Z',
    cap_remaining: null,
    ...over,
  };
}

const any: Targeting = { country: 'US', device: null, osVersion: null, bidFloor: null };

test('targeting: countries, platform, minimum OS version, bid floor and cap', (t) => {
  t.is(targetingVerdict(offer(1, { countries: ['DE'] }), any), 'country');
  t.is(targetingVerdict(offer(1, { countries: ['DE'] }), { ...any, country: null }), 'country');
  t.is(targetingVerdict(offer(1, { countries: [] }), { ...any, country: null }), null);
  t.is(targetingVerdict(offer(1, { platform: 'android' }), { ...any, device: 'ios' }), 'platform');
  t.is(targetingVerdict(offer(1, { platform: 'android' }), any), null, 'unknown device does not filter');
  const ios16 = offer(1, { platform: 'ios', min_os_version: '16.4' });
  t.is(targetingVerdict(ios16, { ...any, device: 'ios', osVersion: '16.3' }), 'os_version');
  t.is(targetingVerdict(ios16, { ...any, device: 'ios', osVersion: '16.10' }), null);
  t.is(targetingVerdict(offer(1), { ...any, bidFloor: 1000.01 }), 'bid_floor');
  t.is(targetingVerdict(offer(1), { ...any, bidFloor: 1000 }), null);
  t.is(targetingVerdict(offer(1, { cap_remaining: 0 }), any), 'cap');
});

test('versions compare numerically, user agents tell platform and version', (t) => {
  t.true(compareVersions('17.10', '17.9') > 0);
  t.is(compareVersions('16', '16.0.0'), 0);
  const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X)';
  t.is(platformFromUserAgent(iphone), 'ios');
  t.is(osVersionFromUserAgent(iphone), '17.1');
  t.is(platformFromUserAgent('Mozilla/5.0 (Linux; Android 14; Pixel 8)'), 'android');
  t.is(osVersionFromUserAgent('Mozilla/5.0 (Linux; Android 14; Pixel 8)'), '14');
  t.is(platformFromUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64)'), 'desktop');
  t.is(platformFromUserAgent('curl/8.0'), null);
});

test('rule effects: exclusions and allow-lists drop, boosts add up', (t) => {
  const games = offer(1);
  t.like(applyEffects([{ ruleId: 'x', exclude: { offerTypes: [4] } }], games), { kept: false, ruleId: 'x' });
  t.like(applyEffects([{ ruleId: 'a', allowOnly: { categories: ['Surveys'] } }], games), {
    kept: false,
    reason: 'rule_allow_list',
  });
  const kept = applyEffects(
    [
      { ruleId: 'b1', boost: { categories: ['Games'], by: 0.2 } },
      { ruleId: 'b2', boost: { by: -0.05 } },
      { ruleId: 'b3', boost: { platforms: ['ios'], by: 1 } },
    ],
    games,
  );
  t.deepEqual(kept, {
    kept: true,
    boosts: [
      { ruleId: 'b1', by: 0.2 },
      { ruleId: 'b2', by: -0.05 },
    ],
  });
});

test('ranking: best score first, ties by offer id, total before the cut, ranks 1..n', (t) => {
  const offers = [offer(3), offer(2), offer(1, { epc: 2 }), offer(4, { countries: ['JP'] })];
  const r = rankOffers({
    offers,
    targeting: any,
    progress: new Map(),
    effects: [],
    model: DEFAULT_RANKING,
    completedOffers: 'hide',
    affinity: {},
    now: NOW,
    limit: 2,
  });
  t.is(r.total, 3);
  t.deepEqual(
    r.offers.map((o) => [o.offer.offer_id, o.rank]),
    [
      [1, 1],
      [2, 2],
    ],
  );
  t.deepEqual(r.dropped, [{ offerId: 4, reason: 'country' }]);
});

test('ranking: newer offers and the user own categories score higher', (t) => {
  const offers = [
    offer(1, { created_at: '2026-01-01T00:00:00Z' }),
    offer(2),
    offer(3, { category: 'Surveys' }),
  ];
  const base = {
    offers,
    targeting: any,
    progress: new Map(),
    effects: [],
    model: DEFAULT_RANKING,
    completedOffers: 'hide' as const,
    now: NOW,
    limit: 10,
  };
  const plain = rankOffers({ ...base, affinity: {} });
  t.deepEqual(
    plain.offers.map((o) => o.offer.offer_id),
    [2, 3, 1],
  );
  const surveyor = rankOffers({ ...base, affinity: { Surveys: 1 } });
  t.is(surveyor.offers[0]?.offer.offer_id, 3);
  t.is(surveyor.offers[0]?.breakdown.features.affinity, 1);
});

/** A user's progress on offer `offerId`: completed, after one click. */
const completedProgress = (offerId: number): OfferProgress => ({
  appId: 'a',
  uid: 'u',
  offerId,
  wallId: 1,
  category: 'Games',
  offerType: 4,
  status: 'completed',
  sid3: null,
  clicks: 1,
  firstClickAt: null,
  lastClickAt: null,
  completedEvents: ['base'],
  completedAt: null,
  updatedAt: '',
});

test('completed offers: hidden, or shown last and not eligible', (t) => {
  const p = completedProgress(1);
  const input = {
    offers: [offer(1, { epc: 9 }), offer(2)],
    targeting: any,
    progress: new Map([[1, p]]),
    effects: [],
    model: DEFAULT_RANKING,
    affinity: {},
    now: NOW,
    limit: 10,
  };
  t.deepEqual(
    rankOffers({ ...input, completedOffers: 'hide' }).offers.map((o) => o.offer.offer_id),
    [2],
  );
  const shown = rankOffers({ ...input, completedOffers: 'show' }).offers;
  t.deepEqual(
    shown.map((o) => [o.offer.offer_id, o.eligible]),
    [
      [2, true],
      [1, false],
    ],
  );
  t.deepEqual(userHistory([p]), {
    clicks: 1,
    started: 1,
    inProgress: 0,
    completions: 1,
    categories: { Games: 1 },
  });
});

test("completed offers shown last are not eligible: not in total, not in the features' scaling", (t) => {
  const done = completedProgress;
  const input: RankingInput = {
    offers: [offer(1, { epc: 9 }), offer(2, { epc: 1 }), offer(3, { epc: 3 })],
    targeting: any,
    progress: new Map([[1, done(1)]]),
    effects: [],
    model: { ...DEFAULT_RANKING, weights: { ...noWeights, epc: 1 } },
    affinity: {},
    now: NOW,
    limit: 10,
    completedOffers: 'show',
  };
  const ranking = rankOffers(input);
  t.is(ranking.total, 2);
  // Scaled over offers 2 and 3 (epc 1..3), not 1..9: offer 3 is the best eligible at 1.
  t.deepEqual(
    ranking.offers.map((o) => [o.offer.offer_id, o.eligible, o.metric]),
    [
      [3, true, 1],
      [2, true, 0],
      [1, false, 1],
    ],
  );
  const allDone = new Map([1, 2, 3].map((id) => [id, done(id)]));
  t.is(rankOffers({ ...input, progress: allDone }).total, 0);
});

test('bans: user before IP, per wall, CIDR through the matcher', (t) => {
  const ban = (id: string, type: 'user' | 'ip', value: string, wallId: number | null = null) => ({
    id,
    appId: 'a',
    type,
    value,
    wallId,
    reason: '',
    createdAt: '',
  });
  const bans = [ban('i', 'ip', '10.0.0.0/8'), ban('u', 'user', 'bob'), ban('w', 'user', 'eve', 2)];
  const inRange = (range: string, ip: string) => range === '10.0.0.0/8' && ip.startsWith('10.');
  t.is(findBlockingBan(bans, { uid: 'bob', ips: ['10.1.1.1'], wallId: 1 }, inRange)?.id, 'u');
  t.is(findBlockingBan(bans, { uid: 'al', ips: ['10.1.1.1'], wallId: 1 }, inRange)?.id, 'i');
  t.is(findBlockingBan(bans, { uid: 'eve', ips: [], wallId: 1 }, inRange), undefined);
  t.is(findBlockingBan(bans, { uid: 'eve', ips: [], wallId: 2 }, inRange)?.id, 'w');
});

test('signatures: any changed field or secret fails verification', (t) => {
  const group = { wallId: 1001, uid: 'u1', sid3: 's', exp: 1_798_761_600, offerIds: [5, 8] }; // 2027-01-01
  const link = { ...group, offerId: 5 };
  const sig = signClick('secret-1', group);
  const before = new Date('2026-12-01T00:00:00Z');
  const verify = (secret: string, l: Partial<ClickLinkInput>, s = sig) =>
    verifyClick(secret, { ...link, ...l }, s, before, null);
  t.is(verify('secret-1', link), 'valid');
  t.is(verify('secret-2', link), 'invalid');
  t.is(verify('secret-1', { ...link, offerId: 8 }), 'valid', 'another offer of the group');
  t.is(verify('secret-1', { ...link, offerId: 6 }), 'invalid');
  t.is(verify('secret-1', { ...link, offerId: 6, offerIds: [6, 8] }), 'invalid');
  t.is(verify('secret-1', { ...link, sid3: null }), 'invalid');
  t.is(verify('secret-1', { ...link, exp: link.exp + 1 }), 'invalid');
  t.is(verify('secret-1', { exp: null }), 'invalid', 'a link without exp is no legacy link');
  t.is(verify('secret-1', { exp: null, offerIds: null }), 'invalid', 'nor one without exp and offers');
  t.is(verify('secret-1', link, sig.slice(0, 63)), 'invalid');
  t.false(
    verifyPostback(
      'secret-1',
      { wallId: 1001, uid: 'u1', offerId: 5, eventId: 'base', transactionId: 't' },
      sig,
    ),
  );
});
