import type { CollectionFile } from '../../store/document/collection-file.js';
import { assertSerializable } from '../../store/document/serializable.js';
import { ShardedCollection } from '../../store/document/sharded-collection.js';
import { isPurchase, type UserActivity } from '../domain/user-activity.js';
import { type Indexed, iso, key, later } from './banner-document-keys.js';
import type { TrackedEvent } from './banner-store.js';

export type UserRecord = UserActivity & { appId: string };
export interface Users {
  users: UserRecord[];
}

/**
 * The banner's users (first/last seen, renders, event counters) in shard files, indexed
 * by app and user id. Changes are made in place, synchronously; the caller commits (or
 * writes behind) the file each change returns.
 */
export class UserDocuments {
  private readonly byKey = new Map<string, Indexed<UserRecord, Users>>();

  private constructor(readonly files: ShardedCollection<Users>) {
    this.index();
    for (const file of files.shards) file.onRestore(() => this.index());
  }

  static async open(dir: string | null, shards: number): Promise<UserDocuments> {
    return new UserDocuments(
      await ShardedCollection.open<Users>(dir, 'banner-users', shards, () => ({ users: [] })),
    );
  }

  /** (Re)builds the index from the files' data. */
  private index(): void {
    this.byKey.clear();
    for (const file of this.files.shards) for (const record of file.data.users) this.add(record, file);
  }

  /** Indexes a record already in `file` (loaded or imported). */
  add(record: UserRecord, file: CollectionFile<Users>): void {
    this.byKey.set(key(record.appId, record.userId), { record, file });
  }

  get(appId: string, userId: string): UserRecord | undefined {
    return this.byKey.get(key(appId, userId))?.record;
  }

  /** Counts one render: returns the file to write. */
  recordVisit(appId: string, userId: string, at: Date): CollectionFile<Users> {
    const user = this.touch(appId, userId, at);
    user.record.lastSeenAt = later(user.record.lastSeenAt, iso(at));
    user.record.renders += 1;
    return user.file;
  }

  /** Counts one tracked event (its receivedAt in ISO): returns the stored user id and the file to write. */
  countEvent(appId: string, event: TrackedEvent): { userId: string; file: CollectionFile<Users> } {
    const user = this.touch(appId, event.userId, new Date(event.receivedAt));
    countEvent(user.record, event);
    return { userId: user.record.userId, file: user.file };
  }

  /** The user's record, created (first seen at `at`) when new; an earlier `at` moves first seen back. */
  private touch(appId: string, userId: string, at: Date): Indexed<UserRecord, Users> {
    const k = key(appId, userId);
    let found = this.byKey.get(k);
    if (!found) {
      const record: UserRecord = {
        appId,
        userId,
        firstSeenAt: iso(at),
        lastSeenAt: null,
        renders: 0,
        events: 0,
        purchases: 0,
        lastEventAt: null,
        lastPurchaseAt: null,
        eventStats: [],
      };
      assertSerializable('the user', record);
      const file = this.files.shardFor(k);
      file.data.users.push(record);
      found = { record, file };
      this.byKey.set(k, found);
    } else if (Date.parse(found.record.firstSeenAt) > at.getTime()) {
      found.record.firstSeenAt = iso(at);
    }
    return found;
  }
}

// Copies the caller may keep, field by field: on every render, a rest-spread copy of the
// record (or a structuredClone) showed in the profiles.
export function activityOf(r: UserRecord): UserActivity {
  return {
    userId: r.userId,
    firstSeenAt: r.firstSeenAt,
    lastSeenAt: r.lastSeenAt,
    renders: r.renders,
    events: r.events,
    purchases: r.purchases,
    lastEventAt: r.lastEventAt,
    lastPurchaseAt: r.lastPurchaseAt,
    eventStats: r.eventStats.map((s) => ({ name: s.name, count: s.count, lastAt: s.lastAt })),
  };
}

/** Adds one event to the user's counters. */
function countEvent(user: UserRecord, event: TrackedEvent): void {
  const at = event.receivedAt;
  user.events += 1;
  user.lastEventAt = later(user.lastEventAt, at);
  if (isPurchase(event.name)) {
    user.purchases += 1;
    user.lastPurchaseAt = later(user.lastPurchaseAt, at);
  }
  const stat = user.eventStats.find((s) => s.name === event.name);
  if (stat) {
    stat.count += 1;
    stat.lastAt = later(stat.lastAt, at);
  } else {
    user.eventStats.push({ name: event.name, count: 1, lastAt: at });
  }
}
