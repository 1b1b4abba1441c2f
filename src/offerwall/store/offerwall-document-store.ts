import { CollectionFile } from '../../store/document/collection-file.js';
import {
  type DocumentCollections,
  exportDocuments,
  importDocuments,
} from '../../store/document/portable-documents.js';
import { assertSerializable } from '../../store/document/serializable.js';
import type { PortableRecord, PortableStore } from '../../store/portable.js';
import { OFFERWALL_COLLECTIONS } from '../../store/portable.js';
import type { Ban } from '../domain/bans.js';
import type { OfferProgress } from '../domain/progress.js';
import { offerwallCollections } from './offerwall-document-portable.js';
import type {
  ClickRecord,
  EventOutcome,
  EventRecord,
  OfferwallStore,
  StoredCatalog,
  TransactionRecord,
} from './offerwall-store.js';

interface CatalogsDoc {
  catalogs: StoredCatalog[];
}
/** Progress and the transactions that changed it share one file, so they are written together. */
interface ProgressDoc {
  progress: OfferProgress[];
  transactions: TransactionRecord[];
}
interface BansDoc {
  bans: Ban[];
}

// App ids cannot contain '/', so `${appId}/${anything}` keys never collide.
const key = (appId: string, rest: string | number) => `${appId}/${rest}`;

/**
 * The offerwall's part of the document store, in three files: catalogs (rewritten only
 * by a sync), progress with its transactions (every click and postback), and bans.
 * Maps index the arrays so a lookup never scans them. Every check-and-write runs
 * without an await in between, so concurrent requests in this process cannot both
 * insert, and the response waits for the commit that holds the change.
 */
export class OfferwallDocumentStore implements OfferwallStore, PortableStore {
  readonly collections = OFFERWALL_COLLECTIONS;
  private readonly byUser = new Map<string, Map<number, OfferProgress>>();
  private readonly byTransaction = new Map<string, TransactionRecord>();
  private userBans = new Map<string, Ban[]>();
  private ipBans = new Map<string, Ban[]>();

  private constructor(
    private readonly catalogs: CollectionFile<CatalogsDoc>,
    private readonly progress: CollectionFile<ProgressDoc>,
    private readonly bans: CollectionFile<BansDoc>,
  ) {
    this.indexProgress();
    this.indexBans();
    // A failed write sets its file back to its content: the indexes follow.
    progress.onRestore(() => this.indexProgress());
    bans.onRestore(() => this.indexBans());
  }

  private indexProgress(): void {
    const { progress } = this;
    this.byUser.clear();
    this.byTransaction.clear();
    for (const p of progress.data.progress) this.userProgress(p.appId, p.uid).set(p.offerId, p);
    for (const t of progress.data.transactions) this.byTransaction.set(key(t.appId, t.transactionId), t);
  }

  static async open(dir: string | null): Promise<OfferwallDocumentStore> {
    const [catalogs, progress, bans] = await Promise.all([
      CollectionFile.open<CatalogsDoc>(dir, 'offerwall-catalogs', { catalogs: [] }),
      CollectionFile.open<ProgressDoc>(dir, 'offerwall-progress', { progress: [], transactions: [] }),
      CollectionFile.open<BansDoc>(dir, 'offerwall-bans', { bans: [] }),
    ]);
    return new OfferwallDocumentStore(catalogs, progress, bans);
  }

  get files(): CollectionFile<unknown>[] {
    return [this.catalogs, this.progress, this.bans] as CollectionFile<unknown>[];
  }

  async getCatalog(appId: string, wallId: number): Promise<StoredCatalog | null> {
    const found = this.catalogs.data.catalogs.find((c) => c.appId === appId && c.wallId === wallId);
    return found ? structuredClone(found) : null;
  }

  async saveCatalog(catalog: StoredCatalog): Promise<void> {
    assertSerializable('the catalog', catalog);
    const copy = structuredClone(catalog);
    const list = this.catalogs.data.catalogs;
    const i = list.findIndex((c) => c.appId === catalog.appId && c.wallId === catalog.wallId);
    if (i >= 0) list[i] = copy;
    else list.push(copy);
    await this.catalogs.commit();
  }

  async progressOf(appId: string, uid: string): Promise<OfferProgress[]> {
    return [...(this.byUser.get(key(appId, uid))?.values() ?? [])].map((p) => structuredClone(p));
  }

  async recordClick(click: ClickRecord): Promise<OfferProgress> {
    assertSerializable('the click', click);
    const p = this.ensureProgress(click, click.at);
    p.clicks += 1;
    p.sid3 ??= click.sid3;
    p.firstClickAt ??= click.at;
    p.lastClickAt = click.at;
    p.updatedAt = click.at;
    await this.progress.commit();
    return structuredClone(p);
  }

  async recordEvent(event: EventRecord): Promise<EventOutcome> {
    assertSerializable('the event', event);
    const txKey = key(event.appId, event.transactionId);
    const first = this.byTransaction.get(txKey);
    if (first) {
      const p = this.byUser.get(key(first.appId, first.uid))?.get(first.offerId);
      // The first call may still be writing: a duplicate is only reported once that is durable.
      await this.progress.commit();
      return { result: 'duplicate', first: { ...first }, progress: p ? structuredClone(p) : null };
    }
    const tx: TransactionRecord = {
      appId: event.appId,
      transactionId: event.transactionId,
      uid: event.uid,
      offerId: event.offerId,
      eventId: event.eventId,
      at: event.at,
    };
    this.byTransaction.set(txKey, tx);
    this.progress.data.transactions.push(tx);
    const p = this.ensureProgress(event, event.at);
    if (!p.completedEvents.includes(event.eventId)) p.completedEvents.push(event.eventId);
    if (event.final && p.status !== 'completed') {
      p.status = 'completed';
      p.completedAt = event.at;
    }
    p.updatedAt = event.at;
    await this.progress.commit();
    return { result: 'recorded', progress: structuredClone(p) };
  }

  async addBan(ban: Ban): Promise<Ban> {
    assertSerializable('the ban', ban);
    if (this.bans.data.bans.some((b) => b.appId === ban.appId && b.id === ban.id)) {
      throw new Error(`ban ${ban.id} already exists in app ${ban.appId}`);
    }
    this.bans.data.bans.push({ ...ban });
    this.indexBans();
    await this.bans.commit();
    return { ...ban };
  }

  async listBans(appId: string): Promise<Ban[]> {
    return this.bans.data.bans.filter((b) => b.appId === appId).map((b) => ({ ...b }));
  }

  async removeBan(appId: string, banId: string): Promise<boolean> {
    const list = this.bans.data.bans;
    const i = list.findIndex((b) => b.appId === appId && b.id === banId);
    if (i < 0) return false;
    list.splice(i, 1);
    this.indexBans();
    await this.bans.commit();
    return true;
  }

  async bansFor(appId: string, uid: string): Promise<Ban[]> {
    const user = this.userBans.get(key(appId, uid)) ?? [];
    const ip = this.ipBans.get(appId) ?? [];
    return [...user, ...ip].map((b) => ({ ...b }));
  }

  exportRecords(collection: string): AsyncIterable<PortableRecord[]> {
    return exportDocuments(this.portable(), collection);
  }

  importRecords(collection: string, records: readonly PortableRecord[]): Promise<void> {
    return importDocuments(this.portable(), collection, records);
  }

  private portable(): DocumentCollections {
    return offerwallCollections({
      catalogs: this.catalogs,
      progress: this.progress,
      bans: this.bans,
      indexProgress: (p) => this.userProgress(p.appId, p.uid).set(p.offerId, p),
      indexTransaction: (t) => this.byTransaction.set(key(t.appId, t.transactionId), t),
      indexBans: () => this.indexBans(),
    });
  }

  private userProgress(appId: string, uid: string): Map<number, OfferProgress> {
    const k = key(appId, uid);
    let m = this.byUser.get(k);
    if (!m) {
      m = new Map();
      this.byUser.set(k, m);
    }
    return m;
  }

  private ensureProgress(
    ref: Pick<ClickRecord, 'appId' | 'uid' | 'offerId' | 'wallId' | 'category' | 'offerType'>,
    at: string,
  ): OfferProgress {
    const forUser = this.userProgress(ref.appId, ref.uid);
    let p = forUser.get(ref.offerId);
    if (!p) {
      p = {
        appId: ref.appId,
        uid: ref.uid,
        offerId: ref.offerId,
        wallId: ref.wallId,
        category: ref.category,
        offerType: ref.offerType,
        status: 'in_progress',
        sid3: null,
        clicks: 0,
        firstClickAt: null,
        lastClickAt: null,
        completedEvents: [],
        completedAt: null,
        updatedAt: at,
      };
      forUser.set(ref.offerId, p);
      this.progress.data.progress.push(p);
    }
    return p;
  }

  private indexBans(): void {
    const user = new Map<string, Ban[]>();
    const ip = new Map<string, Ban[]>();
    for (const b of this.bans.data.bans) {
      const [m, k] = b.type === 'user' ? [user, key(b.appId, b.value)] : [ip, b.appId];
      const list = m.get(k) ?? [];
      list.push(b);
      m.set(k, list);
    }
    this.userBans = user;
    this.ipBans = ip;
  }
}
