import type { CollectionFile } from '../../store/document/collection-file.js';
import { assertSerializable } from '../../store/document/serializable.js';
import { ShardedCollection } from '../../store/document/sharded-collection.js';
import { type HoldsKeys, holdKey, holdsKey, key, PerUser } from './banner-document-keys.js';
import { RECENT_EVENTS_PER_USER, type TrackedEvent } from './banner-store.js';

export interface EventLog extends HoldsKeys {
  appId: string;
  userId: string;
  events: TrackedEvent[];
}
export interface Events {
  logs: EventLog[];
}

const keyOf = (r: EventLog): string => key(r.appId, r.userId);

/** Each user's most recent tracked events (RECENT_EVENTS_PER_USER), in shard files. */
export class RecentEventDocuments {
  private readonly byUser = new PerUser<EventLog>();

  private constructor(readonly files: ShardedCollection<Events>) {
    this.index();
    for (const file of files.shards) file.onRestore(() => this.index());
  }

  static async open(dir: string | null, shards: number): Promise<RecentEventDocuments> {
    const files = await ShardedCollection.open<Events>(dir, 'banner-events', shards, () => ({ logs: [] }));
    // Every log in the shard its key picks (see UserDocuments.open).
    await files.rehome([{ of: (d) => d.logs, key: keyOf }]);
    return new RecentEventDocuments(files);
  }

  /** (Re)builds the index from the files' data. */
  private index(): void {
    this.byUser.clear();
    for (const record of this.files.records((d) => d.logs)) this.add(record);
  }

  /** Indexes a log already in its file (loaded or imported). */
  add(record: EventLog): void {
    this.byUser.set(record.appId, record.userId, record);
  }

  of(appId: string, userId: string): readonly TrackedEvent[] {
    return this.byUser.get(appId, userId)?.events ?? [];
  }

  /**
   * Appends an event to its user's log, dropping the oldest beyond the limit, unless the log
   * holds its insert key `k` (appended by an earlier try): returns the file to write.
   */
  append(appId: string, event: TrackedEvent, k: string | null = null): CollectionFile<Events> {
    const log = this.logOf(appId, event.userId);
    if (!holdsKey(log, k)) {
      log.events.push(event);
      if (log.events.length > RECENT_EVENTS_PER_USER) log.events.shift();
      holdKey(log, k);
    }
    return this.files.shardFor(keyOf(log));
  }

  /** The user's log, if any (its held keys are released through it). */
  logOfUser(appId: string, userId: string): EventLog | undefined {
    return this.byUser.get(appId, userId);
  }

  private logOf(appId: string, userId: string): EventLog {
    let found = this.byUser.get(appId, userId);
    if (!found) {
      found = { appId, userId, events: [] };
      assertSerializable('the event log', found);
      this.files.shardFor(keyOf(found)).data.logs.push(found);
      this.add(found);
    }
    return found;
  }
}
