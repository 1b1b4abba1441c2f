import type { CollectionFile } from '../../store/document/collection-file.js';
import type { JsonLinesLog } from '../../store/document/json-lines-log.js';
import { assertSerializable } from '../../store/document/serializable.js';
import type { WritesUnderWay } from '../../store/writes-under-way.js';
import type { NewEvent, Partition } from '../domain/journey-types.js';
import type { EventLine } from './journeys-event-log.js';
import type { JourneysIndexes, JourneysShard, StoredEvent, StoredUser } from './journeys-indexes.js';
import type { AppendedEvent } from './journeys-store.js';
import { publicEvent } from './journeys-stored-records.js';

/** What appendEventsToLog needs of the document store. */
export interface EventTarget {
  /** The indexes now: a failed shard write replaces them (see JourneysDocumentStore.reindex). */
  index(): JourneysIndexes;
  shardOf(p: Partition, externalId: string): CollectionFile<JourneysShard>;
  /** Adds a bare user to its shard's data and the indexes (not written). */
  newUser(p: Partition, externalId: string, at: string, id: string): StoredUser;
  readonly writing: WritesUnderWay;
  readonly eventLog: JsonLinesLog<EventLine>;
}

/**
 * JourneysDocumentStore.appendEvents. Checked and indexed in one synchronous step (so
 * concurrent calls cannot both store one client event id), then written: a user the call
 * creates goes to their shard, the events to the log as one line (all or none), and the log
 * only once every user they belong to is on disk, so that a crash cannot leave an event
 * whose user is lost (a user without their first event is what an upsert alone leaves).
 * A duplicate of an event still being written is acknowledged only once that is stored.
 * If any of it fails the call rejects and the indexes forget its events.
 */
export async function appendEventsToLog(
  store: EventTarget,
  p: Partition,
  events: readonly NewEvent[],
  now: Date,
  newUserId: () => string,
): Promise<AppendedEvent[]> {
  const at = now.toISOString();
  // All or none: a batch with one event that cannot be stored changes nothing.
  assertSerializable('an event', events);
  const ix = store.index();
  /** Writes under way that this call's own must follow. */
  const after = new Set<Promise<void>>();
  const follow = (record: object) => {
    const write = store.writing.of(record);
    if (write) after.add(write);
  };
  const created: StoredUser[] = [];
  const added: StoredEvent[] = [];
  const results = events.map((e): AppendedEvent => {
    const known = e.clientEventId === null ? undefined : ix.eventByClientId(p, e.externalId, e.clientEventId);
    if (known) {
      follow(known);
      return { event: publicEvent(known), duplicate: true };
    }
    if (!ix.user(p, e.externalId)) created.push(store.newUser(p, e.externalId, at, newUserId()));
    // Object.assign, not a spread plus new keys: see withSegments in offerwall-service.ts
    // (the body had its prototype-polluting keys refused at the edge).
    const stored: StoredEvent = Object.assign({}, e, {
      receivedAt: at,
      appId: p.appId,
      environment: p.environment,
    });
    ix.addEvent(stored);
    added.push(stored);
    return { event: publicEvent(stored), duplicate: false };
  });
  // One commit per shard: a second commit() in the same turn would be a second write.
  const commits = new Map<CollectionFile<JourneysShard>, Promise<void>>();
  for (const user of created) {
    const shard = store.shardOf(p, user.externalId);
    const commit = commits.get(shard) ?? shard.commit();
    commits.set(shard, commit);
    store.writing.track(user, commit);
  }
  // Users created by this call, or by others whose writes are still under way.
  for (const e of added) follow(ix.user(p, e.externalId) as StoredUser);
  const written = appendAfter(store, after, added);
  for (const e of added) store.writing.track(e, written);
  await written;
  return results;
}

/** Appends `events` (one line) once the `after` writes are done; if anything fails, the indexes forget them. */
async function appendAfter(
  store: EventTarget,
  after: Set<Promise<void>>,
  events: StoredEvent[],
): Promise<void> {
  try {
    await Promise.all(after);
    if (events.length > 0) await store.eventLog.append([events]);
  } catch (err) {
    // The indexes now: a failed user write has rebuilt them (with these events still in).
    for (const e of events) store.index().removeEvent(e);
    throw err;
  }
}
