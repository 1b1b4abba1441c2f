import type { UserActivity } from '../domain/user-activity.js';
import type { Assignment, TrackedEvent } from './banner-store.js';

// The banner tables' rows as the store's types (read by the store and its portable export).

export type Row = Record<string, unknown>;

const iso = (v: unknown): string => (v as Date).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null ? null : iso(v));
/** A timestamp inside json_agg arrives as text with an offset. */
export const isoText = (v: unknown): string => new Date(v as string).toISOString();
export type JsonRow = unknown[];

export function activityOf(userId: string, r: Row): UserActivity {
  return {
    userId,
    firstSeenAt: iso(r.first_seen_at),
    lastSeenAt: isoOrNull(r.last_seen_at),
    renders: r.renders as number,
    events: r.events as number,
    purchases: r.purchases as number,
    lastEventAt: isoOrNull(r.last_event_at),
    lastPurchaseAt: isoOrNull(r.last_purchase_at),
    eventStats: ((r.stats as JsonRow[] | null) ?? []).map(([name, count, lastAt]) => ({
      name: name as string,
      count: count as number,
      lastAt: isoText(lastAt),
    })),
  };
}

export function toAssignment(r: Row): Assignment {
  return {
    experimentId: r.experiment_id as string,
    bucketVersion: r.bucket_version as number,
    userId: r.user_id as string,
    variationId: r.variation_id as number,
    assignedAt: iso(r.assigned_at),
  };
}

export function toEvent(r: Row): TrackedEvent {
  return {
    userId: r.user_id as string,
    name: r.name as string,
    time: r.time_ms === null ? null : Number(r.time_ms),
    receivedAt: iso(r.received_at),
    renderId: r.render_id as string | null,
    experimentId: r.experiment_id as string | null,
    variationId: r.variation_id as number | null,
    value: r.value === null || r.value === undefined ? null : Number(r.value),
  };
}
