/**
 * Seeds the embedded store through its ports, the way the service would fill it:
 * banner users (tracked purchases, then one real render each, which stores their
 * sticky assignment), journeys users with events (then the generation job gives them
 * offers), and offerwall progress for every tenth user. Writes run many at a time so
 * group commit coalesces them.
 */
import { randomUUID } from 'node:crypto';
import { BannerRequestParser } from '../src/banner/banner-request.js';
import { BannerService } from '../src/banner/banner-service.js';
import type { TrackedEvent } from '../src/banner/store/banner-store.js';
import type { NewEvent } from '../src/journeys/domain/journey-types.js';
import { type CatalogOffer, finalEventId } from '../src/offerwall/domain/offer.js';
import type { AppRules } from '../src/rules/app-rules.js';
import type { DocumentStore } from '../src/store/document/document-store.js';
import { APP, WALL } from './bench-env.js';

const DAY = 86_400_000;
export const uid = (i: number): string => `u${i}`;

/** The body of every benchmark banner request: a German level-25 player looking at a champion. */
export function bannerBody(userId: string): Record<string, unknown> {
  return {
    userId,
    offerId: '8622',
    countryIso2: 'DE',
    languageIso2: 'de',
    level: 25,
    activeChamp: 'ahri',
    prizeTypes: ['champion', 'chest'],
  };
}

/** Runs `task(i)` for i in [0, n), `width` at a time. */
export async function inWaves(
  n: number,
  width: number,
  task: (i: number) => Promise<unknown>,
): Promise<void> {
  for (let start = 0; start < n; start += width) {
    const wave: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(n, start + width); i++) wave.push(task(i));
    await Promise.all(wave);
  }
}

/** A third of the users bought once, a ninth three times: payers and whales for the segments. */
async function trackPurchases(store: DocumentStore, users: number): Promise<void> {
  const receivedAt = new Date(Date.now() - 3 * DAY).toISOString();
  await inWaves(Math.ceil(users / 3), 2000, (k) => {
    const i = k * 3;
    const count = i % 9 === 0 ? 3 : 1;
    const events: TrackedEvent[] = Array.from({ length: count }, () => ({
      userId: uid(i),
      name: 'SpecialOfferPopupPurchased',
      time: null,
      receivedAt,
      renderId: null,
      experimentId: null,
      variationId: null,
      value: null,
    }));
    return store.banner.track(APP, events);
  });
}

export async function seedBanner(store: DocumentStore, rules: AppRules, users: number): Promise<void> {
  const banner = rules.banner;
  if (!banner) throw new Error('the scaled rules have no Banner kind');
  await trackPurchases(store, users);
  const service = new BannerService(store.banner, { now: () => new Date(), newRenderId: randomUUID });
  const requests = new BannerRequestParser();
  await inWaves(users, 2000, (i) =>
    service.render(
      APP,
      banner,
      requests.parse(bannerBody(uid(i)), banner.settings, () => null),
    ),
  );
}

/** Three plays per user, a fifth each new, at risk, churned, inactive and active. */
export async function seedJourneys(store: DocumentStore, users: number): Promise<void> {
  const p = { appId: APP, environment: 'test' as const };
  const now = new Date();
  let id = 0;
  const newId = () => `bench-${++id}`;
  for (let start = 0; start < users; start += 10_000) {
    const events: NewEvent[] = [];
    for (let i = start; i < Math.min(users, start + 10_000); i++) {
      const daysAgo = [0.1, 20, 40, 61, 2][i % 5] ?? 0;
      for (let k = 0; k < 3; k++) {
        events.push({
          id: newId(),
          externalId: uid(i),
          clientEventId: null,
          category: 'GAME_PLAY',
          eventType: 'spin',
          points: 10,
          occurredAt: new Date(now.getTime() - daysAgo * DAY - k * 3_600_000).toISOString(),
          metadata: { won: k === 0 },
        });
      }
    }
    await store.journeys.appendEvents(p, events, now, newId);
  }
}

/** Every tenth user clicked two offers and completed the first. */
export async function seedOfferwall(
  store: DocumentStore,
  users: number,
  offers: readonly CatalogOffer[],
): Promise<void> {
  const at = new Date().toISOString();
  await inWaves(Math.ceil(users / 10), 1000, async (k) => {
    const i = k * 10;
    const picks = [offers[(i * 7) % offers.length], offers[(i * 13 + 5) % offers.length]];
    const base = { appId: APP, wallId: WALL, uid: uid(i), at };
    for (const offer of picks) {
      if (!offer) continue;
      const o = { ...base, offerId: offer.offer_id, category: offer.category, offerType: offer.offer_type };
      await store.offerwall.recordClick({ ...o, sid3: 'bench' });
      if (offer !== picks[0]) continue;
      for (const e of offer.events) {
        const final = e.event_id === finalEventId(offer);
        await store.offerwall.recordEvent({
          ...o,
          eventId: e.event_id,
          transactionId: `t-${i}-${e.event_id}`,
          final,
        });
      }
    }
  });
}
