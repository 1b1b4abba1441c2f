import { CollectionFile } from '../../store/document/collection-file.js';
import { key } from './banner-document-keys.js';
import type { Exposure } from './banner-store.js';

export interface ExposureCounter extends Exposure {
  appId: string;
  exposures: number;
}
export interface Exposures {
  counters: ExposureCounter[];
}

const exposureKey = (appId: string, e: Exposure): string =>
  key(appId, e.experimentId, e.bucketVersion, e.variationId);

/** How often each variation was served, one counter per (app, experiment, bucket version, variation), in one small file. */
export class ExposureCounters {
  private readonly byKey = new Map<string, ExposureCounter>();

  private constructor(readonly file: CollectionFile<Exposures>) {
    this.index();
    file.onRestore(() => this.index());
  }

  static async open(dir: string | null): Promise<ExposureCounters> {
    return new ExposureCounters(
      await CollectionFile.open<Exposures>(dir, 'banner-exposures', { counters: [] }),
    );
  }

  /** (Re)builds the index from the file's data. */
  private index(): void {
    this.byKey.clear();
    for (const c of this.file.data.counters) this.add(c);
  }

  /** Indexes a counter already in the file (loaded or imported). */
  add(c: ExposureCounter): void {
    this.byKey.set(exposureKey(c.appId, c), c);
  }

  has(appId: string, e: Exposure): boolean {
    return this.byKey.has(exposureKey(appId, e));
  }

  exposures(appId: string, e: Exposure): number {
    return this.byKey.get(exposureKey(appId, e))?.exposures ?? 0;
  }

  /** The variations of one experiment and bucket version that have a counter. */
  variations(appId: string, experimentId: string, bucketVersion: number): number[] {
    const found: number[] = [];
    for (const c of this.byKey.values()) {
      if (c.appId === appId && c.experimentId === experimentId && c.bucketVersion === bucketVersion)
        found.push(c.variationId);
    }
    return found;
  }

  /** Counts one exposure (in memory: the caller writes the file). */
  count(appId: string, e: Exposure): void {
    const counter = this.byKey.get(exposureKey(appId, e));
    if (counter) {
      counter.exposures += 1;
      return;
    }
    const created = { appId, ...e, exposures: 1 };
    this.file.data.counters.push(created);
    this.add(created);
  }
}
