import type { CollectionFile } from '../../store/document/collection-file.js';
import { assertSerializable } from '../../store/document/serializable.js';
import { ShardedCollection } from '../../store/document/sharded-collection.js';
import { type HoldsKeys, holdKey, holdsKey, iso, key, PerUser, push } from './banner-document-keys.js';
import type { Assignment, AssignmentValue, ExperimentKey } from './banner-store.js';

/**
 * `values`: per event name the user tracked within the assignment's window (at or after it,
 * before its end), the sum of those events' values (0 for events without one). An entry
 * makes the user a converter on that name.
 */
export type AssignmentRecord = Assignment & { appId: string; values?: AssignmentValue[] } & HoldsKeys;
export interface Assignments {
  assignments: AssignmentRecord[];
}

/** Assignments are sharded by their user: all of a user's land in one file. */
const shardKeyOf = (a: AssignmentRecord): string => key(a.appId, a.userId);

/**
 * Experiment enrollment: the sticky assignments in shard files (a user's go to the user's
 * shard), indexed by user and by experiment. A user holds a few assignments at most, so
 * finding one is a walk of the user's list (an index by assignment key held ~12 MB at
 * 100,000 users). claim() checks and writes in one synchronous step, so concurrent
 * requests of one process cannot enrol a user twice.
 */
export class AssignmentDocuments {
  private readonly byUser = new PerUser<AssignmentRecord[]>();
  private readonly byExperiment = new Map<string, AssignmentRecord[]>();

  private constructor(readonly files: ShardedCollection<Assignments>) {
    this.index();
    for (const file of files.shards) file.onRestore(() => this.index());
  }

  static async open(dir: string | null, shards: number): Promise<AssignmentDocuments> {
    const files = await ShardedCollection.open<Assignments>(dir, 'banner-assignments', shards, () => ({
      assignments: [],
    }));
    // Every assignment in the shard its user's key picks (see UserDocuments.open).
    await files.rehome([
      {
        of: (d) => d.assignments,
        key: shardKeyOf,
        id: (a) => key(a.appId, a.userId, a.experimentId, a.bucketVersion),
      },
    ]);
    return new AssignmentDocuments(files);
  }

  /** (Re)builds the indexes from the files' data. */
  private index(): void {
    this.byUser.clear();
    this.byExperiment.clear();
    for (const a of this.files.records((d) => d.assignments)) this.add(a);
  }

  /** Indexes a record already in its file (loaded, imported or just claimed). */
  add(a: AssignmentRecord): void {
    const mine = this.byUser.get(a.appId, a.userId);
    if (mine) mine.push(a);
    else this.byUser.set(a.appId, a.userId, [a]);
    push(this.byExperiment, key(a.appId, a.experimentId, a.bucketVersion), a);
  }

  /** The file that holds `a`: the one to commit before answering with it. */
  fileOf(a: AssignmentRecord): CollectionFile<Assignments> {
    return this.files.shardFor(shardKeyOf(a));
  }

  ofUser(appId: string, userId: string): readonly AssignmentRecord[] {
    return this.byUser.get(appId, userId) ?? [];
  }

  ofExperiment(appId: string, experimentId: string, bucketVersion: number): readonly AssignmentRecord[] {
    return this.byExperiment.get(key(appId, experimentId, bucketVersion)) ?? [];
  }

  /**
   * The user's assignment in the proposal's experiment or in one of `rivals`, else the
   * proposal, stored now (in memory: the caller commits the returned file).
   */
  claim(
    appId: string,
    proposal: Assignment,
    rivals: readonly ExperimentKey[],
  ): { stored: AssignmentRecord; created: boolean } {
    const mine = this.ofUser(appId, proposal.userId);
    const existing = heldIn(mine, proposal) ?? rivalHeld(mine, rivals);
    if (existing) return { stored: existing, created: false };
    // Object.assign, not a spread plus a new key: see withSegments in offerwall-service.ts.
    const record = Object.assign({}, proposal, { assignedAt: iso(proposal.assignedAt), appId });
    assertSerializable('the assignment', record);
    this.files.shardFor(shardKeyOf(record)).data.assignments.push(record);
    this.add(record);
    return { stored: record, created: true };
  }

  /**
   * Moves the assignments of `from` to `into` (a sign-in's new id to the player it links to:
   * BannerStore.adopt), except one of an experiment and bucket version `into` holds, which is
   * dropped: the player's variation stays, and the experiment counts one user, not two; so
   * is one named in `drop`. Returns the files to write.
   */
  move(
    appId: string,
    from: string,
    into: string,
    drop: readonly ExperimentKey[] = [],
  ): CollectionFile<Assignments>[] {
    const mine = this.ofUser(appId, from);
    const first = mine[0];
    if (!first) return [];
    const files = new Set([this.fileOf(first)]);
    const source = this.fileOf(first).data;
    source.assignments = source.assignments.filter((a) => !(a.appId === appId && a.userId === from));
    this.byUser.delete(appId, from);
    for (const a of mine) {
      const k = key(appId, a.experimentId, a.bucketVersion);
      const others = (this.byExperiment.get(k) ?? []).filter((b) => b !== a);
      this.byExperiment.set(k, others);
      if (heldIn(this.ofUser(appId, into), a) || drop.some((d) => sameKey(d, a))) continue;
      a.userId = into;
      this.fileOf(a).data.assignments.push(a);
      this.add(a);
      files.add(this.fileOf(a));
    }
    return [...files];
  }

  /**
   * Credits one tracked event to each of the user's assignments whose window holds it: it
   * happened (`happened`, its conversionTime in ms since the epoch, never after its receipt)
   * at or after the assignment and before the assignment's end. The event's value (0 for
   * none) adds to the assignment's sum for its name, whose entry also makes the user a
   * converter on it. An assignment ends at the user's assignment in a later bucket version
   * of its experiment, or at `versionEnd` of its version (Infinity while it runs). Skips the
   * assignments holding the insert key `k` (credited by an earlier try); returns the file to
   * commit, or null when none took it.
   */
  credit(
    appId: string,
    userId: string,
    event: string,
    value: number,
    happened: number,
    versionEnd: (a: ExperimentKey) => number,
    k: string | null = null,
  ): CollectionFile<Assignments> | null {
    let file: CollectionFile<Assignments> | null = null;
    const mine = this.ofUser(appId, userId);
    for (const a of mine) {
      if (Date.parse(a.assignedAt) > happened || holdsKey(a, k)) continue;
      if (happened >= endOf(a, mine, versionEnd)) continue;
      holdKey(a, k);
      a.values ??= [];
      const found = a.values.find((v) => v.event === event);
      if (found) found.sum += value;
      else a.values.push({ event, sum: value });
      file = this.fileOf(a);
    }
    return file;
  }

  /**
   * Gives `a` an entry (sum 0) for each of `events` it has none for; true when one was added.
   * For assignments stored before conversions were credited per assignment.
   */
  addConversions(a: AssignmentRecord, events: readonly string[]): boolean {
    let added = false;
    for (const event of events) {
      a.values ??= [];
      if (a.values.some((v) => v.event === event)) continue;
      a.values.push({ event, sum: 0 });
      added = true;
    }
    return added;
  }

  /** Every assignment, for a pass over the store at open. */
  all(): Iterable<AssignmentRecord> {
    return this.files.records((d) => d.assignments);
  }
}

/**
 * Where `a`'s window ends, in ms since the epoch: the earlier of the user's assignment in a
 * later bucket version of the experiment (they were served that one from then on) and the
 * version's own end.
 */
function endOf(
  a: AssignmentRecord,
  mine: readonly AssignmentRecord[],
  versionEnd: (a: ExperimentKey) => number,
): number {
  let end = versionEnd(a);
  for (const b of mine) {
    if (b.experimentId === a.experimentId && b.bucketVersion > a.bucketVersion) {
      end = Math.min(end, Date.parse(b.assignedAt));
    }
  }
  return end;
}

const sameKey = (a: ExperimentKey, b: ExperimentKey): boolean =>
  a.experimentId === b.experimentId && a.bucketVersion === b.bucketVersion;

/** The user's assignment in this experiment and bucket version, if any. */
function heldIn(mine: readonly AssignmentRecord[], e: ExperimentKey): AssignmentRecord | undefined {
  return mine.find((a) => sameKey(a, e));
}

/** The user's assignment in one of `rivals`, if any (the first rival held, in their order). */
function rivalHeld(mine: readonly AssignmentRecord[], rivals: readonly ExperimentKey[]) {
  for (const r of rivals) {
    const held = heldIn(mine, r);
    if (held) return held;
  }
  return undefined;
}

export function assignmentOf(a: AssignmentRecord): Assignment {
  return {
    experimentId: a.experimentId,
    bucketVersion: a.bucketVersion,
    userId: a.userId,
    variationId: a.variationId,
    assignedAt: a.assignedAt,
  };
}
