import { fixtureEventCounts } from '../fixtures/fixture-events.js';
import { durationMs } from './domain/duration.js';
import type { NewEvent, NewOffer, Partition, UserPatch } from './domain/journey-types.js';
import type { JourneysStore } from './store/journeys-store.js';

/**
 * A fixture's stored state for the journeys API. Times are ISO 8601 or relative to the
 * case's `now`: `now`, `-20d`, `-3h`, `+6d` (units m, h, d, w).
 */
export interface JourneysState {
  profile?: Omit<UserPatch, 'externalId'> & { createdAt?: string };
  events?: {
    at: string;
    category?: string;
    eventType?: string;
    points?: number;
    metadata?: Record<string, unknown>;
    /** This many copies, each `every` (default 1m) before the previous one. */
    count?: number;
    every?: string;
    clientEventId?: string;
  }[];
  offers?: {
    offerType: string;
    status?: 'active' | 'claimed' | 'expired';
    createdAt?: string;
    expiresAt?: string;
    claimedAt?: string;
    pointsValue?: number;
  }[];
}

/** A time of a fixture: ISO, `now`, or an offset from `now` such as `-20d`. */
export function fixtureTime(text: string, now: Date): Date {
  if (text === 'now') return now;
  const rel = /^([+-])(.+)$/.exec(text);
  if (rel?.[2]) return new Date(now.getTime() + (rel[1] === '-' ? -1 : 1) * durationMs(rel[2]));
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new Error(`not a fixture time: '${text}' (ISO 8601, now, or like -20d, +6h)`);
  return new Date(at);
}

function expandEvents(externalId: string, state: JourneysState, now: Date, newId: () => string): NewEvent[] {
  const counts = fixtureEventCounts(state.events);
  return (state.events ?? []).flatMap((e, k) => {
    const start = fixtureTime(e.at, now).getTime();
    const step = durationMs(e.every ?? '1m');
    const count = counts[k] ?? 1;
    return Array.from({ length: count }, (_, i) => ({
      id: newId(),
      externalId,
      clientEventId: e.clientEventId && count === 1 ? e.clientEventId : null,
      category: (e.category ?? 'GAME_PLAY').toUpperCase(),
      eventType: e.eventType ?? 'play',
      points: e.points ?? 0,
      occurredAt: new Date(start - i * step).toISOString(),
      metadata: e.metadata ?? {},
    }));
  });
}

const NO_LIMITS = {
  maxActiveOffers: Number.MAX_SAFE_INTEGER,
  maxActivePerType: Number.MAX_SAFE_INTEGER,
  inactivityDays: 1e9,
};

async function seedOffers(
  store: JourneysStore,
  p: Partition,
  externalId: string,
  state: JourneysState,
  now: Date,
  newId: () => string,
): Promise<void> {
  for (const o of state.offers ?? []) {
    const createdAt = fixtureTime(o.createdAt ?? '-1d', now);
    const expiresAt = fixtureTime(o.expiresAt ?? (o.status === 'expired' ? '-1m' : '+6d'), now);
    const offer: NewOffer = {
      id: newId(),
      externalId,
      offerType: o.offerType,
      gameType: null,
      title: o.offerType,
      description: o.offerType,
      pointsValue: o.pointsValue ?? 0,
      createdAt: createdAt.toISOString(),
      expiresAt: expiresAt.toISOString(),
      metadata: {},
      notOfferedSince: null,
    };
    await store.createOffers(p, [offer], NO_LIMITS, createdAt);
    if (o.status === 'claimed') {
      const claimedAt = fixtureTime(o.claimedAt ?? 'now', now);
      await store.claimOffer(p, externalId, offer.id, claimedAt, (claimed) => ({
        id: newId(),
        externalId,
        clientEventId: null,
        category: 'OFFER',
        eventType: 'offer_claimed',
        points: claimed.pointsValue,
        occurredAt: claimedAt.toISOString(),
        metadata: { offerId: claimed.id, offerType: claimed.offerType },
      }));
    }
  }
}

/**
 * Seeds one user's state through the store port only (no adapter internals): the
 * profile, the events, then offers — claimed ones through claimOffer, so they log
 * their event as in production; expired ones are left for the run to mark.
 */
export async function seedJourneysState(
  store: JourneysStore,
  p: Partition,
  externalId: string,
  state: JourneysState,
  now: Date,
  newId: () => string,
): Promise<void> {
  const { createdAt, ...profile } = state.profile ?? {};
  const events = expandEvents(externalId, state, now, newId);
  const earliest = events.reduce((min, e) => Math.min(min, Date.parse(e.occurredAt)), now.getTime());
  const created = createdAt ? fixtureTime(createdAt, now) : new Date(earliest);
  await store.upsertUser(p, { ...profile, externalId }, created, newId);
  if (events.length > 0) await store.appendEvents(p, events, now, newId);
  await seedOffers(store, p, externalId, state, now, newId);
}
