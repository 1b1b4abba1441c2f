import type { JourneysStore } from '../journeys-store.js';
import type { Store } from '../store.js';
import type { CollectionFile } from './collection-file.js';
import { JourneysDocumentStore } from './journeys-document-store.js';
import { OfferwallDocumentStore } from './offerwall-document-store.js';

/**
 * The embedded store: each collection an in-memory structure persisted as one JSON
 * file under the data dir (lowdb), or not at all (dir null: the in-memory adapter for
 * unit tests). Both share this code, so they cannot differ in behaviour.
 */
export class DocumentStore implements Store {
  readonly kind;

  private constructor(
    readonly dir: string | null,
    private readonly files: CollectionFile<unknown>[],
    readonly offerwall: OfferwallDocumentStore,
    readonly journeys: JourneysStore,
  ) {
    this.kind = dir === null ? ('memory' as const) : ('lowdb' as const);
  }

  static async open(dir: string | null): Promise<DocumentStore> {
    const offerwall = await OfferwallDocumentStore.open(dir);
    const journeys = await JourneysDocumentStore.open(dir);
    return new DocumentStore(dir, [...offerwall.files, ...journeys.files], offerwall, journeys);
  }

  async flush(): Promise<void> {
    await Promise.all(this.files.map((f) => f.flush()));
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
