import type { CollectionFile } from '../../store/document/collection-file.js';
import { assertSerializable } from '../../store/document/serializable.js';
import { ShardedCollection } from '../../store/document/sharded-collection.js';
import { type Indexed, iso, key, push } from './banner-document-keys.js';
import type { Assignment, ExperimentKey } from './banner-store.js';

export type AssignmentRecord = Assignment & { appId: string };
export interface Assignments {
  assignments: AssignmentRecord[];
}

/**
 * Experiment enrollment: the sticky assignments in shard files (a user's go to the user's
 * shard), indexed by key, by user and by experiment. claim() checks and writes in one
 * synchronous step, so concurrent requests of one process cannot enrol a user twice.
 */
export class AssignmentDocuments {
  private readonly byKey = new Map<string, Indexed<AssignmentRecord, Assignments>>();
  private readonly byUser = new Map<string, AssignmentRecord[]>();
  private readonly byExperiment = new Map<string, AssignmentRecord[]>();

  private constructor(readonly files: ShardedCollection<Assignments>) {
    this.index();
    for (const file of files.shards) file.onRestore(() => this.index());
  }

  static async open(dir: string | null, shards: number): Promise<AssignmentDocuments> {
    const files = await ShardedCollection.open<Assignments>(dir, 'banner-assignments', shards, () => ({
      assignments: [],
    }));
    return new AssignmentDocuments(files);
  }

  /** (Re)builds the indexes from the files' data. */
  private index(): void {
    for (const map of [this.byKey, this.byUser, this.byExperiment]) map.clear();
    for (const file of this.files.shards) for (const a of file.data.assignments) this.add(a, file);
  }

  /** Indexes a record already in `file` (loaded, imported or just claimed). */
  add(a: AssignmentRecord, file: CollectionFile<Assignments>): Indexed<AssignmentRecord, Assignments> {
    const indexed = { record: a, file };
    this.byKey.set(key(a.appId, a.experimentId, a.bucketVersion, a.userId), indexed);
    push(this.byUser, key(a.appId, a.userId), a);
    push(this.byExperiment, key(a.appId, a.experimentId, a.bucketVersion), a);
    return indexed;
  }

  ofUser(appId: string, userId: string): readonly AssignmentRecord[] {
    return this.byUser.get(key(appId, userId)) ?? [];
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
  ): { stored: Indexed<AssignmentRecord, Assignments>; created: boolean } {
    const existing =
      this.byKey.get(key(appId, proposal.experimentId, proposal.bucketVersion, proposal.userId)) ??
      this.rivalHeld(appId, proposal.userId, rivals);
    if (existing) return { stored: existing, created: false };
    // Object.assign, not a spread plus a new key: see withSegments in offerwall-service.ts.
    const record = Object.assign({}, proposal, { assignedAt: iso(proposal.assignedAt), appId });
    assertSerializable('the assignment', record);
    const file = this.files.shardFor(key(appId, proposal.userId));
    file.data.assignments.push(record);
    return { stored: this.add(record, file), created: true };
  }

  /** The user's assignment in one of `rivals`, if any. */
  private rivalHeld(appId: string, userId: string, rivals: readonly ExperimentKey[]) {
    for (const r of rivals) {
      const held = this.byKey.get(key(appId, r.experimentId, r.bucketVersion, userId));
      if (held) return held;
    }
    return undefined;
  }
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
