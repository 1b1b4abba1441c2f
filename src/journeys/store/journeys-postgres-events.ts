import type pg from 'pg';
import type { NewEvent, Partition } from '../domain/journey-types.js';
import { EVENT_COLUMNS, type Row, toEvent } from './journeys-postgres-rows.js';
import type { AppendedEvent } from './journeys-store.js';

// Every statement below takes its row and index locks in ORDER BY key order, users
// before events, so two instances appending overlapping batches in different orders
// wait for each other instead of deadlocking (found by the cross-instance tests).
// A user's events version moves with every batch naming them (see eventTotals), in this
// transaction: a reader sees the new version only with the new events.
const ADD_USERS = `
  INSERT INTO journeys_users AS u (app_id, environment, external_id, id, tags, metadata, created_at, updated_at)
  SELECT $1, $2, t.external_id, t.id, '{}', '{}', $5, $5
  FROM unnest($3::text[], $4::text[]) AS t(external_id, id)
  ORDER BY t.external_id
  ON CONFLICT (app_id, environment, external_id) DO UPDATE SET events_version = u.events_version + 1`;

// seq is the arrival order (the tie-break of events at one instant): reserved in batch
// order here, since the insert below runs in client-event-id order.
const RESERVE_SEQ = `
  SELECT nextval(pg_get_serial_sequence('journeys_events', 'seq'))::text AS seq FROM generate_series(1, $1)`;

// A client event id the user already has (stored, or earlier in the batch) inserts
// nothing: a concurrent insert of the same user's id waits for the first to commit, then
// does nothing. Another user's event with the same id is another event (ids are the
// client's, per user: counters such as evt-1 repeat across players).
const INSERT_EVENTS = `
  INSERT INTO journeys_events (seq, app_id, environment, ${EVENT_COLUMNS})
  SELECT t.seq, $1, $2, t.id, t.external_id, t.client_event_id, t.category, t.event_type, t.points,
    t.occurred_at, $3, t.metadata
  FROM jsonb_to_recordset($4::jsonb) AS t(seq bigint, id text, external_id text,
    client_event_id text, category text, event_type text, points integer, occurred_at timestamptz,
    metadata jsonb)
  ORDER BY t.external_id, t.client_event_id, t.seq
  ON CONFLICT (app_id, environment, external_id, client_event_id) WHERE client_event_id IS NOT NULL
  DO NOTHING
  RETURNING ${EVENT_COLUMNS}`;

// The stored events of (user, client event id) pairs: $3 and $4 are the pairs' two halves.
const BY_CLIENT_ID = `
  SELECT ${EVENT_COLUMNS} FROM journeys_events
  WHERE app_id = $1 AND environment = $2
    AND client_event_id IS NOT NULL
    AND (external_id, client_event_id) IN (SELECT * FROM unnest($3::text[], $4::text[]))`;

/** A (user, client event id) pair as one map key; an external id holds no control character. */
const clientIdKey = (externalId: string, clientEventId: string): string =>
  `${externalId}\u0000${clientEventId}`;

/**
 * Appends a batch in the caller's transaction, in four statements whatever its size:
 * bare users for unknown external ids, then the events; an event whose client event id
 * its user has stored already comes back as that stored event, `duplicate: true`.
 */
export async function appendEventBatch(
  c: pg.PoolClient,
  p: Partition,
  events: readonly NewEvent[],
  now: Date,
  newUserId: () => string,
): Promise<AppendedEvent[]> {
  if (events.length === 0) return [];
  const scope = [p.appId, p.environment];
  const users = [...new Set(events.map((e) => e.externalId))];
  await c.query(ADD_USERS, [...scope, users, users.map(() => newUserId()), now]);
  const seqs = (await c.query(RESERVE_SEQ, [events.length])).rows
    .map((r: Row) => BigInt(String(r.seq)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rows = events.map((e, i) => ({
    seq: String(seqs[i]),
    id: e.id,
    external_id: e.externalId,
    client_event_id: e.clientEventId,
    category: e.category,
    event_type: e.eventType,
    points: e.points,
    occurred_at: e.occurredAt,
    metadata: e.metadata,
  }));
  const inserted = await c.query(INSERT_EVENTS, [...scope, now, JSON.stringify(rows)]);
  const added = new Map(inserted.rows.map((r: Row) => [String(r.id), toEvent(r)]));
  const missing = events.filter((e) => !added.has(e.id) && e.clientEventId !== null);
  const known = new Map<string, ReturnType<typeof toEvent>>();
  if (missing.length > 0) {
    const { rows: stored } = await c.query(BY_CLIENT_ID, [
      ...scope,
      missing.map((e) => e.externalId),
      missing.map((e) => e.clientEventId),
    ]);
    for (const r of stored) {
      known.set(clientIdKey(String(r.external_id), String(r.client_event_id)), toEvent(r as Row));
    }
  }
  return events.map((e) => {
    const event = added.get(e.id);
    if (event) return { event, duplicate: false };
    const first =
      e.clientEventId === null ? undefined : known.get(clientIdKey(e.externalId, e.clientEventId));
    if (!first) throw new Error(`event ${e.id} was neither stored nor a known client event id`);
    return { event: first, duplicate: true };
  });
}
