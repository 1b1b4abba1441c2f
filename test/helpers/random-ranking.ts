/**
 * Random catalogs, rules and users for the offerwall ranking's tests (seeded: a failure
 * reproduces), and a ranking as plain data to compare.
 */
import type { Ranking } from '../../src/offerwall/domain/decide.js';
import type { Targeting } from '../../src/offerwall/domain/eligibility.js';
import type { CatalogOffer, Platform } from '../../src/offerwall/domain/offer.js';
import type { OfferProgress, ProgressStatus } from '../../src/offerwall/domain/progress.js';
import { type OfferSelector, type RuleEffect, ruleEffect } from '../../src/offerwall/domain/rule-effects.js';

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = ['Games', 'Surveys', 'Casino', 'Apps'];
const PLATFORMS: (Platform | null)[] = [null, null, 'ios', 'android', 'desktop'];
const COUNTRIES = ['DE', 'US', 'FR'];

export function randomOffers(rand: () => number, n: number): CatalogOffer[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  return Array.from({ length: n }, (_, i) => ({
    offer_id: 1000 + i * 3 + Math.floor(rand() * 3),
    offer_name: `o${i}`,
    headline: '',
    description: '',
    offer_terms: '',
    label: '',
    category: pick(CATEGORIES),
    offer_type: Math.floor(rand() * 12),
    total_user_reward: pick([0, 10, 100, 1000, Math.round(rand() * 5000)]),
    payout: pick([0.5, 1, 2, Math.round(rand() * 1000) / 100]),
    attribution_window_days: 30,
    events: [],
    platform: pick(PLATFORMS),
    countries: COUNTRIES.filter(() => rand() < 0.3),
    min_os_version: rand() < 0.2 ? pick(['15.0', '16.3', '12']) : null,
    // Repeated values make ties, which the offer id must break.
    epc: pick([0.1, 0.2, Math.round(rand() * 100) / 100]),
    conversion_rate: pick([0.05, 0.3, Math.round(rand() * 100) / 100]),
    tracking_delay: 'instant',
    creatives: [],
    click_url_base: 'https://example.com',
    created_at:
      rand() < 0.2
        ? null
        : new Date(Date.UTC(2026, Math.floor(rand() * 11), 1 + Math.floor(rand() * 27))).toISOString(),
    cap_remaining: pick([null, null, 0, 5]),
  }));
}

function selector(rand: () => number, offers: CatalogOffer[]): OfferSelector {
  const s: OfferSelector = {};
  if (rand() < 0.5) s.offerTypes = [Math.floor(rand() * 12), Math.floor(rand() * 12)];
  if (rand() < 0.4) s.categories = CATEGORIES.filter(() => rand() < 0.4);
  if (rand() < 0.2) s.offerIds = offers.filter(() => rand() < 0.1).map((o) => o.offer_id);
  if (rand() < 0.2) s.platforms = ['ios', 'android'].filter(() => rand() < 0.6) as Platform[];
  return s;
}

export function randomEffects(rand: () => number, offers: CatalogOffer[]): RuleEffect[] {
  return Array.from({ length: Math.floor(rand() * 8) }, (_, k) => {
    const kind = rand();
    if (kind < 0.25) return ruleEffect({ ruleId: `r${k}`, exclude: selector(rand, offers) });
    if (kind < 0.4) return ruleEffect({ ruleId: `r${k}`, allowOnly: selector(rand, offers) });
    return ruleEffect({
      ruleId: `r${k}`,
      boost: { ...selector(rand, offers), by: Math.round((rand() - 0.3) * 100) / 100 },
    });
  });
}

/** A user's progress on a catalog offer, as the store keeps it (one click, nothing else recorded). */
export function progressRecord(
  offer: Pick<CatalogOffer, 'offer_id' | 'category' | 'offer_type'>,
  status: ProgressStatus,
  where: { appId: string; wallId: number } = { appId: 'demo', wallId: 1001 },
): OfferProgress {
  return {
    appId: where.appId,
    uid: 'u',
    offerId: offer.offer_id,
    wallId: where.wallId,
    category: offer.category,
    offerType: offer.offer_type,
    status,
    sid3: null,
    clicks: 1,
    firstClickAt: null,
    lastClickAt: null,
    completedEvents: [],
    completedAt: null,
    updatedAt: '',
  };
}

export function randomProgress(rand: () => number, offers: CatalogOffer[]): Map<number, OfferProgress> {
  const progress = new Map<number, OfferProgress>();
  for (const o of offers) {
    if (rand() > 0.1) continue;
    progress.set(
      o.offer_id,
      progressRecord(o, rand() < 0.5 ? 'completed' : 'in_progress', { appId: 'a', wallId: 1 }),
    );
  }
  return progress;
}

export function plain(r: Ranking): Ranking {
  return {
    ...r,
    offers: r.offers.map((o) => ({
      offer: o.offer,
      progress: o.progress,
      eligible: o.eligible,
      score: o.score,
      metric: o.metric,
      breakdown: o.breakdown,
      boosts: [...o.boosts],
      rank: o.rank,
    })),
  };
}

export function randomTargeting(rand: () => number): Targeting {
  return {
    country: rand() < 0.8 ? (COUNTRIES[Math.floor(rand() * 3)] as string) : null,
    device: (PLATFORMS[Math.floor(rand() * PLATFORMS.length)] ?? null) as Platform | null,
    osVersion: rand() < 0.5 ? '16.1' : null,
    bidFloor: rand() < 0.2 ? 50 : null,
  };
}
