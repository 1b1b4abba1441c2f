import {
  isLive,
  type NewEvent,
  OFFER_CLAIMED_EVENT,
  OFFER_EVENT_CATEGORY,
  type Offer,
  type Partition,
  type UserPatch,
} from './domain/journey-types.js';
import { evaluateJourney } from './journey-evaluator.js';
import type { JourneysMetrics } from './journeys-metrics.js';
import { type ProfileView, profileView } from './journeys-views.js';
import { storedOfferId } from './offer-ids.js';
import type { JourneysRules } from './rules/journeys-rules.js';
import type { AppendedEvent, ClaimResult, JourneysStore } from './store/journeys-store.js';

/** An event as a client sends it, validated; the service adds the id and defaults. */
export interface EventInput {
  externalId: string;
  eventType: string;
  category: string;
  points?: number;
  occurredAt?: string;
  metadata?: Record<string, unknown>;
  clientEventId?: string;
}

export interface JourneysServiceDeps {
  store: JourneysStore;
  now: () => Date;
  newId: () => string;
  metrics?: JourneysMetrics;
}

/**
 * The journeys API without HTTP: profiles, events, timeline, offers and claims over
 * the store port. The caller reads the rules snapshot once per request and passes it.
 */
export class JourneysService {
  constructor(private readonly deps: JourneysServiceDeps) {}

  async upsertUser(
    rules: JourneysRules,
    p: Partition,
    patch: UserPatch,
  ): Promise<{ profile: ProfileView; created: boolean }> {
    const { user, created } = await this.deps.store.upsertUser(p, patch, this.deps.now(), this.deps.newId);
    const profile = await this.profile(rules, p, user.externalId);
    if (!profile) throw new Error(`user ${user.externalId} vanished after upsert`);
    return { profile, created };
  }

  /** The profile with its computed stage, tier, score, churn risk and recommendations; null if unknown. */
  async profile(rules: JourneysRules, p: Partition, externalId: string): Promise<ProfileView | null> {
    const { store } = this.deps;
    const user = await store.getUser(p, externalId);
    if (!user) return null;
    const now = this.deps.now();
    const [totals, offers] = await Promise.all([
      store.eventTotals(p, externalId, now),
      store.userOffers(p, externalId),
    ]);
    const evaluation = await evaluateJourney(rules, { user, totals, offers }, now);
    return profileView(user, p, evaluation);
  }

  /** Stores the events (all or none); retries carrying a known client event id are recognised. */
  async track(p: Partition, inputs: readonly EventInput[]): Promise<AppendedEvent[]> {
    const now = this.deps.now();
    const events: NewEvent[] = inputs.map((e) => ({
      id: this.deps.newId(),
      externalId: e.externalId,
      clientEventId: e.clientEventId ?? null,
      category: e.category,
      eventType: e.eventType,
      points: e.points ?? 0,
      occurredAt: e.occurredAt ? new Date(e.occurredAt).toISOString() : now.toISOString(),
      metadata: e.metadata ?? {},
    }));
    const results = await this.deps.store.appendEvents(p, events, now, this.deps.newId);
    const stored = results.filter((r) => !r.duplicate).length;
    this.deps.metrics?.eventsTracked.inc({ app: p.appId, environment: p.environment }, stored);
    return results;
  }

  async timeline(p: Partition, externalId: string, page: number, limit: number) {
    if (!(await this.deps.store.getUser(p, externalId))) return null;
    return this.deps.store.timeline(p, externalId, { offset: (page - 1) * limit, limit });
  }

  /** The user's active offers that have not reached `expiresAt` (whether or not the job marked them); null if unknown. */
  async activeOffers(p: Partition, externalId: string): Promise<Offer[] | null> {
    if (!(await this.deps.store.getUser(p, externalId))) return null;
    const now = this.deps.now();
    return (await this.deps.store.userOffers(p, externalId)).filter((o) => isLive(o, now));
  }

  /** Claims the offer (a UUID in any case) and logs an `offer_claimed` event worth its points, in one store write. */
  async claim(p: Partition, externalId: string, offerId: string): Promise<ClaimResult> {
    const now = this.deps.now();
    const result = await this.deps.store.claimOffer(p, externalId, storedOfferId(offerId), now, (offer) => ({
      id: this.deps.newId(),
      externalId,
      clientEventId: null,
      category: OFFER_EVENT_CATEGORY,
      eventType: OFFER_CLAIMED_EVENT,
      points: offer.pointsValue,
      occurredAt: now.toISOString(),
      metadata: { offerId: offer.id, offerType: offer.offerType },
    }));
    if (result.ok) {
      const labels = { app: p.appId, environment: p.environment, offer_type: result.offer.offerType };
      this.deps.metrics?.offersClaimed.inc(labels);
    }
    return result;
  }
}
