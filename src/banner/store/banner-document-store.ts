import {
  type DocumentCollections,
  exportDocuments,
  importDocuments,
} from '../../store/document/portable-documents.js';
import { assertSerializable } from '../../store/document/serializable.js';
import { WriteBehind } from '../../store/document/write-behind.js';
import type { PortableRecord, PortableStore } from '../../store/portable.js';
import { BANNER_COLLECTIONS } from '../../store/portable.js';
import { WritesUnderWay } from '../../store/writes-under-way.js';
import { conversionTime } from '../domain/event-value.js';
import type { VariationTally } from '../domain/experiment-results.js';
import type { UserActivity } from '../domain/user-activity.js';
import { AssignmentDocuments, assignmentOf } from './banner-document-assignments.js';
import { ExperimentEnds } from './banner-document-ends.js';
import { RecentEventDocuments } from './banner-document-events.js';
import { ExposureCounters } from './banner-document-exposures.js';
import { iso, key, releaseKeys } from './banner-document-keys.js';
import { bannerCollections } from './banner-document-portable.js';
import { countEnrollmentsByDay, tallyExperiment } from './banner-document-tallies.js';
import { activityOf, UserDocuments } from './banner-document-users.js';
import type {
  Assignment,
  BannerStore,
  DailyEnrollment,
  ExperimentKey,
  Exposure,
  TrackedEvent,
  Visitor,
} from './banner-store.js';

/**
 * Shards per sharded collection; may be raised later (see ShardedCollection), never
 * lowered. A write rewrites every shard it touches, and a /track batch (50 events) may name
 * 50 users, as the node SDK's track_batch from a game's backend does and as anyone holding
 * the public key can: with 64 shards that rewrote about half of all users' and events' bytes
 * per batch. Measured at 100,000 users (.tmp/track-spread.ts, one run each, load ~12):
 * CPU per batch of 50 new users 531 ms with 64 shards, 172 ms with 512, 92 ms with 2,048;
 * of 50 events of one user 16.9, 7.7 and 4.9 ms. Past 512 each step gains less while
 * concurrent writes coalesce into fewer fsyncs per file (seeding the 100,000 took 36, 64 and
 * 107 s): 512, as the journeys store has. test/banner/store/track-write-spread.test.ts holds
 * a 50-user batch under a fifth of the bytes.
 */
const SHARDS = 512;
/**
 * How long a render's visit (last seen, renders) may wait to be written. Under load every
 * shard has a visit waiting, so each delay rewrites all users: ~25 MB of JSON with 100,000
 * users. At 1 s that was ~10 % of a core; at 5 s the stringify and the writes and fsyncs in
 * libuv's threads were still ~40 µs of a render's ~320 µs of CPU; at 30 s, a sixth of it
 * (bench/cpu-per-request.ts, 2026-12-02: other threads 48–60 → 22 µs per render). A crash
 * loses at most these seconds of visits: counts no response promises, read at the
 * resolution of days.
 */
const VISIT_WRITE_DELAY_MS = 30_000;
/** The exposure counters: one small file, so written behind sooner (they are shown in results). */
const EXPOSURE_WRITE_DELAY_MS = 5000;

/**
 * BannerStore on collection files: users, assignments and event logs sharded by user,
 * exposure counters in one small file. Assignments and events are committed before a call
 * resolves; what a render counts (the visit: first/last seen, renders; the exposure) is
 * written behind, within 30 and 5 seconds — rewriting a shard on every render was most of a
 * render's latency (20 ms → 5 ms measured), and awaiting the exposure file's fsync then
 * bound a loaded server's throughput (see docs/performance.md).
 * Each collection keeps its own in-memory index, rebuilt when a failed write sets one of
 * its files back to its content; every check-and-write runs without an await in between,
 * so concurrent requests of one process cannot break the invariants.
 */
export class BannerDocumentStore implements BannerStore, PortableStore {
  readonly collections = BANNER_COLLECTIONS;
  private readonly visits = new WriteBehind(VISIT_WRITE_DELAY_MS);
  private readonly exposureCounts = new WriteBehind(EXPOSURE_WRITE_DELAY_MS);
  /**
   * Per user (`key(appId, userId)`), the write of an assignment made here or of a sign-in's
   * merge that may not be on disk yet: reads of the user's assignments wait for it.
   */
  private readonly writes = new WritesUnderWay<string>();

  private constructor(
    private readonly users: UserDocuments,
    private readonly enrollment: AssignmentDocuments,
    private readonly events: RecentEventDocuments,
    private readonly exposures: ExposureCounters,
    private readonly ends: ExperimentEnds,
  ) {}

  static async open(dir: string | null): Promise<BannerDocumentStore> {
    const [users, assignments, events, exposures, ends] = await Promise.all([
      UserDocuments.open(dir, SHARDS),
      AssignmentDocuments.open(dir, SHARDS),
      RecentEventDocuments.open(dir, SHARDS),
      ExposureCounters.open(dir),
      ExperimentEnds.open(dir),
    ]);
    const store = new BannerDocumentStore(users, assignments, events, exposures, ends);
    await store.creditConversionsOnce();
    return store;
  }

  /**
   * A store written before conversions were credited per assignment (at track time, within
   * the assignment's window) counted a converter from the user's event stats: each name last
   * tracked at or after the assignment. Its assignments get those names once, so their
   * results read as before; the marker is written after them, so a crash in between repeats
   * the same pass.
   */
  private async creditConversionsOnce(): Promise<void> {
    if (this.ends.file.data.conversionsCredited) return;
    const touched = new Set<{ commit(): Promise<void> }>();
    for (const a of this.enrollment.all()) {
      const since = Date.parse(a.assignedAt);
      const names = (this.users.get(a.appId, a.userId)?.eventStats ?? [])
        .filter((st) => Date.parse(st.lastAt) >= since)
        .map((st) => st.name);
      if (this.enrollment.addConversions(a, names)) touched.add(this.enrollment.fileOf(a));
    }
    await Promise.all([...touched].map((f) => f.commit()));
    this.ends.file.data.conversionsCredited = true;
    await this.ends.file.commit();
  }

  async flush(): Promise<void> {
    await Promise.all([this.visits.flush(), this.exposureCounts.flush()]);
    await Promise.all([
      this.users.files.flush(),
      this.enrollment.files.flush(),
      this.events.files.flush(),
      this.exposures.file.flush(),
      this.ends.file.flush(),
    ]);
  }

  async user(appId: string, userId: string): Promise<UserActivity | null> {
    const found = this.users.get(appId, userId);
    return found ? activityOf(found) : null;
  }

  async visitor(appId: string, userId: string): Promise<Visitor> {
    const [user, assignments] = await Promise.all([
      this.user(appId, userId),
      this.assignments(appId, userId),
    ]);
    return { user, assignments };
  }

  /**
   * Only assignments on disk: one made or moved by a call still awaiting its write is waited
   * for. A render served the variation of a concurrent render's assignment straight from
   * memory, and a kill -9 before that write lost an assignment the first had acknowledged
   * (crash suite, 1 of 14 renders once; test/banner/store/assignment-read-durable.test.ts).
   */
  async assignments(appId: string, userId: string): Promise<Assignment[]> {
    for (let w = this.underWay(appId, [userId]); w; w = this.underWay(appId, [userId])) await w;
    return this.enrollment.ofUser(appId, userId).map(assignmentOf);
  }

  /**
   * The writes under way of these users' assignments (settled together, never rejecting), or
   * null. A caller loops until null without an await in between the last check and its read:
   * a failed write is its own caller's to report, and memory is set back by then.
   */
  private underWay(appId: string, userIds: readonly string[]): Promise<unknown> | null {
    return this.writes.underWay(userIds.map((u) => key(appId, u)));
  }

  async assign(
    appId: string,
    proposal: Assignment,
    rivals: readonly ExperimentKey[] = [],
  ): Promise<{ assignment: Assignment; created: boolean }> {
    // Checked and written in one synchronous step (no await between): the slot claim
    // and the assignment land in the same group commit.
    const { stored, created } = this.enrollment.claim(appId, proposal, rivals);
    // The stored one wins, but its write may still be in flight: wait for it either way.
    const written = this.enrollment.fileOf(stored).commit();
    if (created) this.writes.track(key(appId, proposal.userId), written);
    await written;
    const { appId: _app, ...assignment } = stored;
    return { assignment: { ...assignment }, created };
  }

  async recordRender(appId: string, userId: string, at: Date, exposure: Exposure | null): Promise<void> {
    // A new counter is checked before the visit is counted: the call changes both or nothing.
    if (exposure && !this.exposures.has(appId, exposure)) {
      assertSerializable('the exposure counter', { appId, ...exposure });
    }
    this.visits.schedule(this.users.recordVisit(appId, userId, at));
    if (!exposure) return;
    this.exposures.count(appId, exposure);
    this.exposureCounts.schedule(this.exposures.file);
  }

  /**
   * A batch touches up to three files per user (users, event logs, assignments), each
   * committed on its own, and the SDK service writes the claims of its insert keys to
   * banner-insert-ids.jsonl only after: a kill in between kept the events and lost the
   * claims, so the retry of the unanswered batch was stored twice (operator probe: 26 events
   * over 10 kill -9 runs). Each record an event changes now holds its insert key in the same
   * write as the change (HoldsKeys), and an event is applied to a record only if that record
   * does not hold its key: a retry after a crash at any point, of the whole batch or of some
   * of its files, stores each event exactly once. The keys are released once their claims
   * are durable (settleInsertKeys); from then on the claims answer a retry.
   */
  async track(
    appId: string,
    events: readonly TrackedEvent[],
    insertKeys: readonly (string | null)[] = [],
  ): Promise<void> {
    // All or nothing: a batch with one event that cannot be stored changes nothing.
    assertSerializable('a tracked event', [appId, events, insertKeys]);
    const touched = new Set<{ commit(): Promise<void> }>();
    for (const [i, event] of events.entries()) {
      const k = insertKeys[i] ?? null;
      const stored = { ...event, receivedAt: iso(event.receivedAt) };
      const user = this.users.countEvent(appId, stored, k);
      stored.userId = user.userId;
      touched.add(user.file);
      touched.add(this.events.append(appId, stored, k));
      if (user.named) {
        const file = this.enrollment.credit(
          appId,
          user.userId,
          stored.name,
          stored.value ?? 0,
          conversionTime(stored),
          (a) => this.ends.endOf(appId, a.experimentId, a.bucketVersion),
          k,
        );
        if (file) touched.add(file);
      }
    }
    await Promise.all([...touched].map((f) => f.commit()));
  }

  settleInsertKeys(
    appId: string,
    events: readonly TrackedEvent[],
    insertKeys: readonly (string | null)[],
  ): void {
    const keys = new Set(insertKeys.filter((k): k is string => k !== null));
    if (keys.size === 0) return;
    for (const userId of new Set(events.map((e) => e.userId))) {
      const user = this.users.get(appId, userId);
      if (user) releaseKeys(user, keys);
      const log = this.events.logOfUser(appId, userId);
      if (log) releaseKeys(log, keys);
      for (const a of this.enrollment.ofUser(appId, userId)) releaseKeys(a, keys);
    }
  }

  async adopt(appId: string, from: string, into: string, drop: readonly ExperimentKey[] = []): Promise<void> {
    // A retried sign-in finds the merge done in memory and nothing left to move: it waits for
    // the first try's write rather than answer before that is on disk.
    for (let w = this.underWay(appId, [from, into]); w; w = this.underWay(appId, [from, into])) await w;
    // In one synchronous step, as every check-and-write here.
    const touched = new Set<{ commit(): Promise<void> }>([
      ...this.users.fold(appId, from, into),
      ...this.enrollment.move(appId, from, into, drop),
    ]);
    if (touched.size === 0) return;
    // Settled only once every file is: a first failure must not let readers on while another
    // of the merge's files is still being written.
    const written = Promise.allSettled([...touched].map((f) => f.commit())).then((results) => {
      for (const r of results) if (r.status === 'rejected') throw r.reason;
    });
    this.writes.track(key(appId, from), written);
    this.writes.track(key(appId, into), written);
    await written;
  }

  async recentEvents(appId: string, userId: string): Promise<TrackedEvent[]> {
    return structuredClone([...this.events.of(appId, userId)]);
  }

  async endVersions(appId: string, ended: readonly ExperimentKey[], at: Date): Promise<void> {
    assertSerializable('an experiment end', [appId, ended]);
    if (ended.length === 0) return;
    // Committed even when another snapshot recorded the same end first: that write may still
    // be in flight, and the caller goes on to credit events as if the end were on disk.
    this.ends.record(appId, ended, at);
    await this.ends.file.commit();
  }

  async tallies(
    appId: string,
    experimentId: string,
    bucketVersion: number,
    valueEvent?: string,
  ): Promise<VariationTally[]> {
    return tallyExperiment({
      assignments: this.enrollment.ofExperiment(appId, experimentId, bucketVersion),
      exposedVariations: this.exposures.variations(appId, experimentId, bucketVersion),
      exposures: (variationId) =>
        this.exposures.exposures(appId, { experimentId, bucketVersion, variationId }),
      ...(valueEvent === undefined ? {} : { valueEvent }),
      endMs: this.ends.endOf(appId, experimentId, bucketVersion),
    });
  }

  async enrollmentsByDay(
    appId: string,
    experimentId: string,
    bucketVersion: number,
  ): Promise<DailyEnrollment[]> {
    return countEnrollmentsByDay(
      this.enrollment.ofExperiment(appId, experimentId, bucketVersion),
      this.ends.endOf(appId, experimentId, bucketVersion),
    );
  }

  async versionEnd(appId: string, experimentId: string, bucketVersion: number): Promise<string | null> {
    const end = this.ends.endOf(appId, experimentId, bucketVersion);
    return Number.isFinite(end) ? new Date(end).toISOString() : null;
  }

  exportRecords(collection: string): AsyncIterable<PortableRecord[]> {
    return exportDocuments(this.portable(), collection);
  }

  importRecords(collection: string, records: readonly PortableRecord[]): Promise<void> {
    return importDocuments(this.portable(), collection, records);
  }

  private portable(): DocumentCollections {
    return bannerCollections({
      users: this.users.files,
      assignments: this.enrollment.files,
      events: this.events.files,
      exposures: this.exposures.file,
      ends: this.ends.file,
      shardKey: key,
      indexUser: (record) => this.users.add(record),
      indexAssignment: (a) => this.enrollment.add(a),
      indexLog: (record) => this.events.add(record),
      indexExposure: (c) => this.exposures.add(c),
      indexEnd: (e) => this.ends.indexEnd(e),
    });
  }
}
