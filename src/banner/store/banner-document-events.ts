import type { CollectionFile } from '../../store/document/collection-file.js';
import { assertSerializable } from '../../store/document/serializable.js';
import { ShardedCollection } from '../../store/document/sharded-collection.js';
import { type Indexed, key } from './banner-document-keys.js';
import { RECENT_EVENTS_PER_USER, type TrackedEvent } from './banner-store.js';

export interface EventLog {
  appId: string;
  userId: string;
  events: TrackedEvent[];
}
export interface Events {
  logs: EventLog[];
}

/** Each user's most recent tracked events (RECENT_EVENTS_PER_USER), in shard files. */
export class RecentEventDocuments {
  private readonly byUser = new Map<string, Indexed<EventLog, Events>>();

  private constructor(readonly files: ShardedCollection<Events>) {
    this.index();
    for (const file of files.shards) file.onRestore(() => this.index());
  }

  static async open(dir: string | null, shards: number): Promise<RecentEventDocuments> {
    return new RecentEventDocuments(
      await ShardedCollection.open<Events>(dir, 'banner-events', shards, () => ({ logs: [] })),
    );
  }

  /** (Re)builds the index from the files' data. */
  private index(): void {
    this.byUser.clear();
    for (const file of this.files.shards) for (const record of file.data.logs) this.add(record, file);
  }

  /** Indexes a log already in `file` (loaded or imported). */
  add(record: EventLog, file: CollectionFile<Events>): void {
    this.byUser.set(key(record.appId, record.userId), { record, file });
  }

  of(appId: string, userId: string): readonly TrackedEvent[] {
    return this.byUser.get(key(appId, userId))?.record.events ?? [];
  }

  /** Appends an event to its user's log, dropping the oldest beyond the limit: returns the file to write. */
  append(appId: string, event: TrackedEvent): CollectionFile<Events> {
    const log = this.logOf(appId, event.userId);
    log.record.events.push(event);
    if (log.record.events.length > RECENT_EVENTS_PER_USER) log.record.events.shift();
    return log.file;
  }

  private logOf(appId: string, userId: string): Indexed<EventLog, Events> {
    const k = key(appId, userId);
    let found = this.byUser.get(k);
    if (!found) {
      const record = { appId, userId, events: [] };
      assertSerializable('the event log', record);
      const file = this.files.shardFor(k);
      file.data.logs.push(record);
      found = { record, file };
      this.byUser.set(k, found);
    }
    return found;
  }
}
