import { CollectionFile } from '../../store/document/collection-file.js';
import { iso, key } from './banner-document-keys.js';
import type { ExperimentKey } from './banner-store.js';

/** Bucket versions up to `bucketVersion` of the experiment ended at `endedAt` (ISO 8601). */
export interface VersionEnd extends ExperimentKey {
  appId: string;
  endedAt: string;
}
export interface VersionEnds {
  ends: VersionEnd[];
  /**
   * Set once the assignments of a store written before conversions were credited per
   * assignment have had them filled in from the users' event stats (BannerDocumentStore.open).
   */
  conversionsCredited?: true;
}

/**
 * When experiments' bucket versions ended (stopped, or a later version served), the first
 * instant recorded for each, in one small file. A few entries per experiment at most.
 */
export class ExperimentEnds {
  private readonly byExperiment = new Map<string, VersionEnd[]>();

  private constructor(readonly file: CollectionFile<VersionEnds>) {
    this.index();
    file.onRestore(() => this.index());
  }

  static async open(dir: string | null): Promise<ExperimentEnds> {
    return new ExperimentEnds(
      await CollectionFile.open<VersionEnds>(dir, 'banner-experiment-ends', { ends: [] }),
    );
  }

  private index(): void {
    this.byExperiment.clear();
    for (const e of this.file.data.ends) this.add(e);
  }

  /** Indexes an end already in the file (an import's record). */
  indexEnd(e: VersionEnd): void {
    this.add(e);
  }

  private add(e: VersionEnd): void {
    const k = key(e.appId, e.experimentId);
    this.byExperiment.set(k, [...(this.byExperiment.get(k) ?? []), e]);
  }

  /** Records each end not recorded yet (the first instant stays). */
  record(appId: string, ended: readonly ExperimentKey[], at: Date): void {
    for (const { experimentId, bucketVersion } of ended) {
      const known = this.byExperiment.get(key(appId, experimentId)) ?? [];
      if (known.some((e) => e.bucketVersion === bucketVersion)) continue;
      const end = { appId, experimentId, bucketVersion, endedAt: iso(at) };
      this.file.data.ends.push(end);
      this.add(end);
    }
  }

  /** When the experiment's bucket version ended, in ms since the epoch; Infinity while it runs. */
  endOf(appId: string, experimentId: string, bucketVersion: number): number {
    let end = Number.POSITIVE_INFINITY;
    for (const e of this.byExperiment.get(key(appId, experimentId)) ?? []) {
      if (e.bucketVersion >= bucketVersion) end = Math.min(end, Date.parse(e.endedAt));
    }
    return end;
  }
}
