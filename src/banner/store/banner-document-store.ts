import { CollectionFile } from '../../store/document/collection-file.js';
import {
  type DocumentCollections,
  exportDocuments,
  importDocuments,
} from '../../store/document/portable-documents.js';
import { assertSerializable } from '../../store/document/serializable.js';
import { ShardedCollection } from '../../store/document/sharded-collection.js';
import { WriteBehind } from '../../store/document/write-behind.js';
import type { PortableRecord, PortableStore } from '../../store/portable.js';
import { BANNER_COLLECTIONS } from '../../store/portable.js';
import { conversionAt, conversionTime } from '../domain/event-value.js';
import type { VariationTally } from '../domain/experiment-results.js';
import { isPurchase, type UserActivity } from '../domain/user-activity.js';
import { bannerCollections } from './banner-document-portable.js';
import {
  type Assignment,
  type AssignmentValue,
  type BannerStore,
  type ExperimentKey,
  type Exposure,
  RECENT_EVENTS_PER_USER,
  type TrackedEvent,
  type Visitor,
} from './banner-store.js';

type UserRecord = UserActivity & { appId: string };
type AssignmentRecord = Assignment & { appId: string; values?: AssignmentValue[] };
interface EventLog {
  appId: string;
  userId: string;
  events: TrackedEvent[];
}
interface ExposureCounter extends Exposure {
  appId: string;
  exposures: number;
}

interface Users {
  users: UserRecord[];
}
interface Assignments {
  assignments: AssignmentRecord[];
}
interface Events {
  logs: EventLog[];
}
interface Exposures {
  counters: ExposureCounter[];
}

interface Indexed<R, F> {
  record: R;
  file: CollectionFile<F>;
}

/**
 * Shards per sharded collection; may be raised later (see ShardedCollection), never
 * lowered. 64 keeps a shard of 100,000 users at ~0.4 MB: one write stalls the event
 * loop ~3 ms instead of ~12 ms with 16 (npm run bench).
 */
const SHARDS = 64;
/**
 * How long a render's counts (the visit: last seen, renders; the exposure) may wait to be
 * written. Under load every shard has a visit waiting, so each delay rewrites all users:
 * at 1 s that was ~25 MB of JSON a second with 100,000 users (~10 % of a core); at 5 s, a fifth.
 */
const RENDER_WRITE_DELAY_MS = 5000;

// Ids never contain a newline (they are validated), so joined keys cannot collide.
const key = (...parts: (string | number)[]): string => parts.join('\n');
const exposureKey = (appId: string, e: Exposure): string =>
  key(appId, e.experimentId, e.bucketVersion, e.variationId);
/** The canonical ISO text of a time given as a Date or as ISO text. */
const iso = (at: Date | string): string => (typeof at === 'string' ? new Date(at) : at).toISOString();

function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

/**
 * BannerStore on collection files: users, assignments and event logs sharded by user,
 * exposure counters in one small file. Assignments and events are committed before a call
 * resolves; what a render counts (the visit: first/last seen, renders; the exposure) is
 * written behind, within 5 seconds — rewriting a shard on every render was most of a
 * render's latency (20 ms → 5 ms measured), and awaiting the exposure file's fsync then
 * bound a loaded server's throughput (see docs/performance.md).
 * Everything is indexed in memory; every check-and-write runs without an await in
 * between, so concurrent requests of one process cannot break the invariants.
 */
export class BannerDocumentStore implements BannerStore, PortableStore {
  readonly collections = BANNER_COLLECTIONS;
  private readonly users = new Map<string, Indexed<UserRecord, Users>>();
  // The maps below are rebuilt when a failed write sets a file back to its content (index()).
  private readonly assignmentsByKey = new Map<string, Indexed<AssignmentRecord, Assignments>>();
  private readonly assignmentsByUser = new Map<string, AssignmentRecord[]>();
  private readonly assignmentsByExperiment = new Map<string, AssignmentRecord[]>();
  private readonly logs = new Map<string, Indexed<EventLog, Events>>();
  private readonly counters = new Map<string, ExposureCounter>();
  private readonly renders = new WriteBehind(RENDER_WRITE_DELAY_MS);

  private constructor(
    private readonly userFiles: ShardedCollection<Users>,
    private readonly assignmentFiles: ShardedCollection<Assignments>,
    private readonly eventFiles: ShardedCollection<Events>,
    private readonly exposureFile: CollectionFile<Exposures>,
  ) {
    this.index();
    const files = [...userFiles.shards, ...assignmentFiles.shards, ...eventFiles.shards, exposureFile];
    for (const file of files) (file as CollectionFile<unknown>).onRestore(() => this.index());
  }

  /** (Re)builds every index from the files' data. */
  private index(): void {
    const { userFiles, assignmentFiles, eventFiles, exposureFile } = this;
    for (const map of [this.users, this.assignmentsByKey, this.assignmentsByUser, this.logs, this.counters])
      map.clear();
    this.assignmentsByExperiment.clear();
    for (const file of userFiles.shards) {
      for (const record of file.data.users) {
        this.users.set(key(record.appId, record.userId), { record, file });
      }
    }
    for (const file of assignmentFiles.shards) {
      for (const a of file.data.assignments) this.indexAssignment(a, file);
    }
    for (const file of eventFiles.shards) {
      for (const record of file.data.logs) {
        this.logs.set(key(record.appId, record.userId), { record, file });
      }
    }
    for (const c of exposureFile.data.counters) {
      this.counters.set(key(c.appId, c.experimentId, c.bucketVersion, c.variationId), c);
    }
  }

  static async open(dir: string | null): Promise<BannerDocumentStore> {
    const [users, assignments, events, exposures] = await Promise.all([
      ShardedCollection.open<Users>(dir, 'banner-users', SHARDS, () => ({ users: [] })),
      ShardedCollection.open<Assignments>(dir, 'banner-assignments', SHARDS, () => ({ assignments: [] })),
      ShardedCollection.open<Events>(dir, 'banner-events', SHARDS, () => ({ logs: [] })),
      CollectionFile.open<Exposures>(dir, 'banner-exposures', { counters: [] }),
    ]);
    return new BannerDocumentStore(users, assignments, events, exposures);
  }

  async flush(): Promise<void> {
    await this.renders.flush();
    await Promise.all([
      this.userFiles.flush(),
      this.assignmentFiles.flush(),
      this.eventFiles.flush(),
      this.exposureFile.flush(),
    ]);
  }

  async user(appId: string, userId: string): Promise<UserActivity | null> {
    const found = this.users.get(key(appId, userId))?.record;
    if (!found) return null;
    return activityOf(found);
  }

  async visitor(appId: string, userId: string): Promise<Visitor> {
    const [user, assignments] = await Promise.all([
      this.user(appId, userId),
      this.assignments(appId, userId),
    ]);
    return { user, assignments };
  }

  async assignments(appId: string, userId: string): Promise<Assignment[]> {
    return (this.assignmentsByUser.get(key(appId, userId)) ?? []).map(assignmentOf);
  }

  async assign(
    appId: string,
    proposal: Assignment,
    rivals: readonly ExperimentKey[] = [],
  ): Promise<{ assignment: Assignment; created: boolean }> {
    const k = key(appId, proposal.experimentId, proposal.bucketVersion, proposal.userId);
    // Checked and written in one synchronous step (no await between): the slot claim
    // and the assignment land in the same group commit.
    const existing = this.assignmentsByKey.get(k) ?? this.rivalHeld(appId, proposal.userId, rivals);
    let stored = existing;
    if (!stored) {
      // Object.assign, not a spread plus a new key: see withSegments in offerwall-service.ts.
      const record = Object.assign({}, proposal, { assignedAt: iso(proposal.assignedAt), appId });
      assertSerializable('the assignment', record);
      const file = this.assignmentFiles.shardFor(key(appId, proposal.userId));
      file.data.assignments.push(record);
      stored = this.indexAssignment(record, file);
    }
    // The stored one wins, but its write may still be in flight: wait for it either way.
    await stored.file.commit();
    return { assignment: assignmentOf(stored.record), created: !existing };
  }

  /** The user's assignment in one of `rivals`, if any. */
  private rivalHeld(appId: string, userId: string, rivals: readonly ExperimentKey[]) {
    if (rivals.length === 0) return undefined;
    for (const r of rivals) {
      const held = this.assignmentsByKey.get(key(appId, r.experimentId, r.bucketVersion, userId));
      if (held) return held;
    }
    return undefined;
  }

  async recordRender(appId: string, userId: string, at: Date, exposure: Exposure | null): Promise<void> {
    // A new counter is checked before the visit is counted: the call changes both or nothing.
    if (exposure && !this.counters.has(exposureKey(appId, exposure))) {
      assertSerializable('the exposure counter', { appId, ...exposure });
    }
    const user = this.touchUser(appId, userId, at);
    user.record.lastSeenAt = later(user.record.lastSeenAt, iso(at));
    user.record.renders += 1;
    this.renders.schedule(user.file);
    if (!exposure) return;
    this.countExposure(appId, exposure);
    this.renders.schedule(this.exposureFile);
  }

  async track(appId: string, events: readonly TrackedEvent[]): Promise<void> {
    // All or nothing: a batch with one event that cannot be stored changes nothing.
    assertSerializable('a tracked event', [appId, events]);
    const touchedUsers = new Set<CollectionFile<Users>>();
    const touchedLogs = new Set<CollectionFile<Events>>();
    const touchedAssignments = new Set<CollectionFile<Assignments>>();
    for (const event of events) {
      const stored = { ...event, receivedAt: iso(event.receivedAt) };
      const user = this.touchUser(appId, event.userId, new Date(stored.receivedAt));
      stored.userId = user.record.userId;
      countEvent(user.record, stored);
      touchedUsers.add(user.file);
      const log = this.logOf(appId, event.userId);
      log.record.events.push(stored);
      if (log.record.events.length > RECENT_EVENTS_PER_USER) log.record.events.shift();
      touchedLogs.add(log.file);
      if (event.value !== null) this.addValue(appId, stored, touchedAssignments);
    }
    await Promise.all([
      this.userFiles.commit(touchedUsers),
      this.eventFiles.commit(touchedLogs),
      this.assignmentFiles.commit(touchedAssignments),
    ]);
  }

  /** Adds the event's value to each of the user's assignments made at or before it happened. */
  private addValue(appId: string, event: TrackedEvent, touched: Set<CollectionFile<Assignments>>): void {
    const happened = conversionTime(event);
    // A user's assignments all live in the user's shard (see assign()).
    const file = this.assignmentFiles.shardFor(key(appId, event.userId));
    for (const a of this.assignmentsByUser.get(key(appId, event.userId)) ?? []) {
      if (Date.parse(a.assignedAt) > happened) continue;
      a.values ??= [];
      const found = a.values.find((v) => v.event === event.name);
      if (found) found.sum += event.value as number;
      else a.values.push({ event: event.name, sum: event.value as number });
      touched.add(file);
    }
  }

  async recentEvents(appId: string, userId: string): Promise<TrackedEvent[]> {
    return structuredClone(this.logs.get(key(appId, userId))?.record.events ?? []);
  }

  async tallies(
    appId: string,
    experimentId: string,
    bucketVersion: number,
    valueEvent?: string,
  ): Promise<VariationTally[]> {
    type Tally = {
      users: number;
      first: string | null;
      conversions: Map<string, number>;
      revenue: { sum: number; sumSquares: number };
    };
    const byVariation = new Map<number, Tally>();
    const empty = (): Tally => ({
      users: 0,
      first: null,
      conversions: new Map(),
      revenue: { sum: 0, sumSquares: 0 },
    });
    const tallyOf = (variationId: number) => {
      const found = byVariation.get(variationId) ?? empty();
      byVariation.set(variationId, found);
      return found;
    };
    for (const a of this.assignmentsByExperiment.get(key(appId, experimentId, bucketVersion)) ?? []) {
      const tally = tallyOf(a.variationId);
      tally.users += 1;
      if (tally.first === null || Date.parse(a.assignedAt) < Date.parse(tally.first))
        tally.first = a.assignedAt;
      const stats = this.users.get(key(appId, a.userId))?.record.eventStats ?? [];
      for (const s of stats) {
        if (Date.parse(s.lastAt) >= Date.parse(a.assignedAt)) {
          tally.conversions.set(s.name, (tally.conversions.get(s.name) ?? 0) + 1);
        }
      }
      const value = a.values?.find((v) => v.event === valueEvent)?.sum ?? 0;
      tally.revenue.sum += value;
      tally.revenue.sumSquares += value * value;
    }
    for (const c of this.counters.values()) {
      if (c.appId === appId && c.experimentId === experimentId && c.bucketVersion === bucketVersion) {
        if (!byVariation.has(c.variationId)) byVariation.set(c.variationId, empty());
      }
    }
    return [...byVariation.entries()]
      .sort(([a], [b]) => a - b)
      .map(([variationId, t]) => ({
        variationId,
        users: t.users,
        firstAssignedAt: t.first,
        exposures: this.counters.get(key(appId, experimentId, bucketVersion, variationId))?.exposures ?? 0,
        conversions: [...t.conversions.entries()].map(([event, users]) => ({ event, users })),
        ...(valueEvent === undefined ? {} : { revenue: { ...t.revenue } }),
      }));
  }

  exportRecords(collection: string): AsyncIterable<PortableRecord[]> {
    return exportDocuments(this.portable(), collection);
  }

  importRecords(collection: string, records: readonly PortableRecord[]): Promise<void> {
    return importDocuments(this.portable(), collection, records);
  }

  private portable(): DocumentCollections {
    return bannerCollections({
      users: this.userFiles,
      assignments: this.assignmentFiles,
      events: this.eventFiles,
      exposures: this.exposureFile,
      shardKey: key,
      indexUser: (record, file) => this.users.set(key(record.appId, record.userId), { record, file }),
      indexAssignment: (a, file) => this.indexAssignment(a, file),
      indexLog: (record, file) => this.logs.set(key(record.appId, record.userId), { record, file }),
      indexExposure: (c) =>
        this.counters.set(key(c.appId, c.experimentId, c.bucketVersion, c.variationId), c),
    });
  }

  private indexAssignment(
    a: AssignmentRecord,
    file: CollectionFile<Assignments>,
  ): Indexed<AssignmentRecord, Assignments> {
    const indexed = { record: a, file };
    this.assignmentsByKey.set(key(a.appId, a.experimentId, a.bucketVersion, a.userId), indexed);
    push(this.assignmentsByUser, key(a.appId, a.userId), a);
    push(this.assignmentsByExperiment, key(a.appId, a.experimentId, a.bucketVersion), a);
    return indexed;
  }

  private touchUser(appId: string, userId: string, at: Date): Indexed<UserRecord, Users> {
    const k = key(appId, userId);
    let found = this.users.get(k);
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
      const file = this.userFiles.shardFor(k);
      file.data.users.push(record);
      found = { record, file };
      this.users.set(k, found);
    } else if (Date.parse(found.record.firstSeenAt) > at.getTime()) {
      found.record.firstSeenAt = iso(at);
    }
    return found;
  }

  private logOf(appId: string, userId: string): Indexed<EventLog, Events> {
    const k = key(appId, userId);
    let found = this.logs.get(k);
    if (!found) {
      const record = { appId, userId, events: [] };
      assertSerializable('the event log', record);
      const file = this.eventFiles.shardFor(k);
      file.data.logs.push(record);
      found = { record, file };
      this.logs.set(k, found);
    }
    return found;
  }

  private countExposure(appId: string, e: Exposure): void {
    const k = exposureKey(appId, e);
    const counter = this.counters.get(k);
    if (counter) {
      counter.exposures += 1;
      return;
    }
    const created = { appId, ...e, exposures: 1 };
    this.exposureFile.data.counters.push(created);
    this.counters.set(k, created);
  }
}

// Copies the caller may keep, field by field: on every render, a rest-spread copy of the
// record (or a structuredClone) showed in the profiles.
function activityOf(r: UserRecord): UserActivity {
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

function assignmentOf(a: AssignmentRecord): Assignment {
  return {
    experimentId: a.experimentId,
    bucketVersion: a.bucketVersion,
    userId: a.userId,
    variationId: a.variationId,
    assignedAt: a.assignedAt,
  };
}

/** The later of two ISO times: "last" times only move forward, whatever order writes come in. */
function later(current: string | null, at: string): string {
  return current === null || Date.parse(current) < Date.parse(at) ? at : current;
}

/** Adds one event to the user's counters. */
function countEvent(user: UserRecord, event: TrackedEvent): void {
  const at = event.receivedAt;
  // Per name, the last time is the event's own (bounded): conversions compare it with assignments.
  const happened = conversionAt(event);
  user.events += 1;
  user.lastEventAt = later(user.lastEventAt, at);
  if (isPurchase(event.name)) {
    user.purchases += 1;
    user.lastPurchaseAt = later(user.lastPurchaseAt, at);
  }
  const stat = user.eventStats.find((s) => s.name === event.name);
  if (stat) {
    stat.count += 1;
    stat.lastAt = later(stat.lastAt, happened);
  } else {
    user.eventStats.push({ name: event.name, count: 1, lastAt: happened });
  }
}
