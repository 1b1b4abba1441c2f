import { BannerDocumentStore } from '../../banner/store/banner-document-store.js';
import { ProfileDocumentStore } from '../../banner/store/profile-document-store.js';
import { JourneysDocumentStore } from '../../journeys/store/journeys-document-store.js';
import { OfferwallDocumentStore } from '../../offerwall/store/offerwall-document-store.js';
import type { PortableStore } from '../portable.js';
import type { Store } from '../store.js';

/**
 * The embedded store: each collection an in-memory structure persisted as one JSON
 * file under the data dir (lowdb), or not at all (dir null: the in-memory adapter for
 * unit tests). Both share this code, so they cannot differ in behaviour.
 */
export class DocumentStore implements Store {
  readonly kind;

  private constructor(
    readonly dir: string | null,
    readonly banner: BannerDocumentStore,
    readonly offerwall: OfferwallDocumentStore,
    readonly journeys: JourneysDocumentStore,
    readonly profiles: ProfileDocumentStore,
    private readonly files: { flush(): Promise<void> }[],
  ) {
    this.kind = dir === null ? ('memory' as const) : ('lowdb' as const);
  }

  get portable(): Record<'banner' | 'offerwall' | 'journeys', PortableStore> {
    return { banner: this.banner, offerwall: this.offerwall, journeys: this.journeys };
  }

  static async open(dir: string | null): Promise<DocumentStore> {
    const [banner, offerwall, journeys, profiles] = await Promise.all([
      BannerDocumentStore.open(dir),
      OfferwallDocumentStore.open(dir),
      JourneysDocumentStore.open(dir),
      ProfileDocumentStore.open(dir),
    ]);
    return new DocumentStore(dir, banner, offerwall, journeys, profiles, [
      banner,
      profiles,
      ...offerwall.files,
      ...journeys.files,
    ]);
  }

  async flush(): Promise<void> {
    await Promise.all(this.files.map((f) => f.flush()));
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
