/** How often and when a user did one tracked event. */
export interface EventStat {
  name: string;
  count: number;
  /** When offerd received the latest one (ISO 8601). */
  lastAt: string;
}

/** What offerd knows about a user of the banner API, from its requests and tracked events. */
export interface UserActivity {
  userId: string;
  /** First banner request or tracked event. */
  firstSeenAt: string;
  /** Last banner request (tracked events do not count: an AppStart must not hide a lapse). */
  lastSeenAt: string | null;
  /** Banner requests answered. */
  renders: number;
  events: number;
  /** Tracked events whose name ends in `Purchased`. */
  purchases: number;
  lastEventAt: string | null;
  lastPurchaseAt: string | null;
  /** Kept as a list, not a map keyed by client-chosen names. */
  eventStats: EventStat[];
}

const DAY_MS = 86_400_000;

/** Whether a tracked event counts as a purchase (`SpecialOfferPopupPurchased`, `SpecialOfferInStorePurchased`...). */
export function isPurchase(eventName: string): boolean {
  return eventName.endsWith('Purchased');
}

function daysSince(at: string | null, now: Date): number | null {
  return at === null ? null : Math.floor((now.getTime() - Date.parse(at)) / DAY_MS);
}

/** The `user` fact: what rules may ask about the user, as it was before this request. */
export function userFacts(user: UserActivity | null, now: Date): Record<string, unknown> {
  return {
    known: user !== null,
    firstSeenAt: user?.firstSeenAt ?? null,
    daysSinceFirstSeen: daysSince(user?.firstSeenAt ?? null, now),
    lastSeenAt: user?.lastSeenAt ?? null,
    daysSinceLastSeen: daysSince(user?.lastSeenAt ?? null, now),
    renders: user?.renders ?? 0,
    events: user?.events ?? 0,
    purchases: user?.purchases ?? 0,
    lastEventAt: user?.lastEventAt ?? null,
    daysSinceLastEvent: daysSince(user?.lastEventAt ?? null, now),
    lastPurchaseAt: user?.lastPurchaseAt ?? null,
    daysSinceLastPurchase: daysSince(user?.lastPurchaseAt ?? null, now),
    eventCounts: Object.fromEntries((user?.eventStats ?? []).map((s) => [s.name, s.count])),
  };
}
