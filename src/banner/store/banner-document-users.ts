import type { CollectionFile } from '../../store/document/collection-file.js';
import { assertSerializable } from '../../store/document/serializable.js';
import { ShardedCollection } from '../../store/document/sharded-collection.js';
import { conversionAt } from '../domain/event-value.js';
import { type EventStat, isPurchase, type UserActivity } from '../domain/user-activity.js';
import { type HoldsKeys, holdKey, holdsKey, iso, key, later, PerUser } from './banner-document-keys.js';
import { EVENT_NAMES_PER_USER, type TrackedEvent } from './banner-store.js';

export type UserRecord = UserActivity & { appId: string } & HoldsKeys;
export interface Users {
  users: UserRecord[];
}

const keyOf = (r: UserRecord): string => key(r.appId, r.userId);

/**
 * A user with this many event names has them found through a Map, not a walk of the list.
 * Real users stay below it, so the Maps cost no memory at 1,000,000 users; a user near
 * EVENT_NAMES_PER_USER would otherwise cost a walk of up to 1,000 names per event.
 */
const MAPPED_FROM = 32;

/**
 * The banner's users (first/last seen, renders, event counters) in shard files, indexed
 * by app and user id. Changes are made in place, synchronously; the caller commits (or
 * writes behind) the file each change returns.
 */
export class UserDocuments {
  private readonly byUser = new PerUser<UserRecord>();
  /** The stats of users with MAPPED_FROM names or more, by name; a reloaded record gets a new Map. */
  private readonly statsByName = new WeakMap<UserRecord, Map<string, EventStat>>();

  private constructor(readonly files: ShardedCollection<Users>) {
    this.index();
    for (const file of files.shards) file.onRestore(() => this.index());
  }

  static async open(dir: string | null, shards: number): Promise<UserDocuments> {
    const files = await ShardedCollection.open<Users>(dir, 'banner-users', shards, () => ({ users: [] }));
    // Every record in the shard its key picks: a store written before the shard key was
    // placed by a hash anyone can aim (see ShardKey).
    await files.rehome([{ of: (d) => d.users, key: keyOf }]);
    return new UserDocuments(files);
  }

  /** (Re)builds the index from the files' data. */
  private index(): void {
    this.byUser.clear();
    for (const record of this.files.records((d) => d.users)) this.add(record);
  }

  /** Indexes a record already in its file (loaded or imported). */
  add(record: UserRecord): void {
    this.byUser.set(record.appId, record.userId, record);
  }

  get(appId: string, userId: string): UserRecord | undefined {
    return this.byUser.get(appId, userId);
  }

  private fileOf(record: UserRecord): CollectionFile<Users> {
    return this.files.shardFor(keyOf(record));
  }

  /** Counts one render: returns the file to write. */
  recordVisit(appId: string, userId: string, at: Date): CollectionFile<Users> {
    const user = this.touch(appId, userId, at);
    user.lastSeenAt = later(user.lastSeenAt, iso(at));
    user.renders += 1;
    return this.fileOf(user);
  }

  /**
   * Counts one tracked event (its receivedAt in ISO) unless the user holds its insert key
   * `k` (counted by an earlier try): returns the stored user id, the file to write and
   * whether the user has a counter of the event's name (EVENT_NAMES_PER_USER): only a name
   * kept may convert.
   */
  countEvent(
    appId: string,
    event: TrackedEvent,
    k: string | null = null,
  ): { userId: string; file: CollectionFile<Users>; named: boolean } {
    const user = this.touch(appId, event.userId, new Date(event.receivedAt));
    if (!holdsKey(user, k)) {
      countTotals(user, event);
      this.countName(user, event);
      holdKey(user, k);
    }
    return {
      userId: user.userId,
      file: this.fileOf(user),
      named: this.statOf(user, event.name) !== undefined,
    };
  }

  /**
   * Folds the record of `from` into the one of `into` (a sign-in's new id into the player it
   * links to: BannerStore.adopt): earliest first seen, latest last seen and event times, counts
   * added, counters by name added (new names while `into` holds fewer than the cap); the
   * record of `from` goes. Returns the files to write.
   */
  fold(appId: string, from: string, into: string): CollectionFile<Users>[] {
    const source = this.byUser.get(appId, from);
    if (!source) return [];
    const target = this.touch(appId, into, new Date(source.firstSeenAt));
    const latest = (a: string | null, b: string | null) => (b === null ? a : later(a, b));
    target.lastSeenAt = latest(target.lastSeenAt, source.lastSeenAt);
    target.renders += source.renders;
    target.events += source.events;
    target.purchases += source.purchases;
    target.lastEventAt = latest(target.lastEventAt, source.lastEventAt);
    target.lastPurchaseAt = latest(target.lastPurchaseAt, source.lastPurchaseAt);
    for (const s of source.eventStats) {
      const stat = this.statOf(target, s.name);
      if (stat) {
        stat.count += s.count;
        stat.lastAt = later(stat.lastAt, s.lastAt);
      } else if (target.eventStats.length < EVENT_NAMES_PER_USER) {
        const added = { name: s.name, count: s.count, lastAt: s.lastAt };
        target.eventStats.push(added);
        this.mapped(target)?.set(added.name, added);
      }
    }
    const file = this.fileOf(source);
    file.data.users = file.data.users.filter((r) => r !== source);
    this.byUser.delete(appId, from);
    return [this.fileOf(target), file];
  }

  /** The user's counter of `name`, if kept. */
  private statOf(user: UserRecord, name: string): EventStat | undefined {
    const byName = this.mapped(user);
    return byName ? byName.get(name) : user.eventStats.find((s) => s.name === name);
  }

  /** Adds the event to its name's counter, a new one while the user holds fewer than the cap. */
  private countName(user: UserRecord, event: TrackedEvent): void {
    // Per name, the last time is the event's own (bounded): conversions compare it with assignments.
    const happened = conversionAt(event);
    const byName = this.mapped(user);
    const stat = this.statOf(user, event.name);
    if (stat) {
      stat.count += 1;
      stat.lastAt = later(stat.lastAt, happened);
    } else if (user.eventStats.length < EVENT_NAMES_PER_USER) {
      const added = { name: event.name, count: 1, lastAt: happened };
      user.eventStats.push(added);
      byName?.set(added.name, added);
    }
  }

  /** The user's stats by name once there are MAPPED_FROM of them, else undefined. */
  private mapped(user: UserRecord): Map<string, EventStat> | undefined {
    if (user.eventStats.length < MAPPED_FROM) return undefined;
    let byName = this.statsByName.get(user);
    if (!byName) {
      byName = new Map();
      // The first of a name wins, as find() does.
      for (const s of user.eventStats) if (!byName.has(s.name)) byName.set(s.name, s);
      this.statsByName.set(user, byName);
    }
    return byName;
  }

  /** The user's record, created (first seen at `at`) when new; an earlier `at` moves first seen back. */
  private touch(appId: string, userId: string, at: Date): UserRecord {
    let found = this.byUser.get(appId, userId);
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
      this.files.shardFor(keyOf(record)).data.users.push(record);
      this.add(record);
      found = record;
    } else if (Date.parse(found.firstSeenAt) > at.getTime()) {
      found.firstSeenAt = iso(at);
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

/** Adds one event to the user's counters that do not depend on its name being kept. */
function countTotals(user: UserRecord, event: TrackedEvent): void {
  const at = event.receivedAt;
  user.events += 1;
  user.lastEventAt = later(user.lastEventAt, at);
  if (isPurchase(event.name)) {
    user.purchases += 1;
    user.lastPurchaseAt = later(user.lastPurchaseAt, at);
  }
}
