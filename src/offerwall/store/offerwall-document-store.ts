import { CollectionFile } from '../../store/document/collection-file.js';
import {
  type DocumentCollections,
  exportDocuments,
  importDocuments,
} from '../../store/document/portable-documents.js';
import { assertSerializable } from '../../store/document/serializable.js';
import type { PortableRecord, PortableStore } from '../../store/portable.js';
import { OFFERWALL_COLLECTIONS } from '../../store/portable.js';
import { type AddedBan, type Ban, distinctBans, sameBan } from '../domain/bans.js';
import type { OfferProgress } from '../domain/progress.js';
import { offerwallCollections } from './offerwall-document-portable.js';
import { ProgressDocuments } from './offerwall-document-progress.js';
import { offerwallKey, type ProgressShard, type TransactionShard } from './offerwall-document-shards.js';
import type {
  ClickRecord,
  DuplicateOutcome,
  EventOutcome,
  EventRecord,
  OfferwallStore,
  StoredCatalog,
} from './offerwall-store.js';

interface CatalogsDoc {
  catalogs: StoredCatalog[];
}
interface BansDoc {
  bans: Ban[];
}

/**
 * The offerwall's part of the document store: catalogs (rewritten only by a sync) and bans
 * in one file each, progress and transactions in shards (see ProgressDocuments), so a click
 * rewrites one progress shard and a postback one progress and one transaction shard. Maps
 * index the records so a lookup never scans them. Every check-and-write runs without an
 * await in between, so concurrent requests in this process cannot both insert, and the
 * response waits for the commit that holds the change.
 */
export class OfferwallDocumentStore implements OfferwallStore, PortableStore {
  readonly collections = OFFERWALL_COLLECTIONS;
  private userBans = new Map<string, Ban[]>();
  private ipBans = new Map<string, Ban[]>();
  /** Recorded transactions not yet durable in their shard, each with its write (see recordEvent). */
  private readonly landing = new Map<string, Promise<unknown>>();

  private constructor(
    private readonly catalogs: CollectionFile<CatalogsDoc>,
    private readonly shards: ProgressDocuments,
    private readonly bans: CollectionFile<BansDoc>,
  ) {
    this.indexBans();
    // A failed write sets its file back to its content: the index follows (shards do their own).
    bans.onRestore(() => this.indexBans());
  }

  static async open(dir: string | null): Promise<OfferwallDocumentStore> {
    const catalogs = await CollectionFile.open<CatalogsDoc>(dir, 'offerwall-catalogs', { catalogs: [] });
    const shards = await ProgressDocuments.open(dir);
    const bans = await CollectionFile.open<BansDoc>(dir, 'offerwall-bans', { bans: [] });
    return new OfferwallDocumentStore(catalogs, shards, bans);
  }

  /** Waits for every write under way, e.g. before shutdown. */
  async flush(): Promise<void> {
    await Promise.allSettled(this.landing.values());
    await Promise.all([this.catalogs.flush(), this.shards.flush(), this.bans.flush()]);
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
    const forUser = this.shards.progressShard(appId, uid).ofUser(offerwallKey(appId, uid));
    return [...(forUser?.values() ?? [])].map((p) => structuredClone(p));
  }

  async recordClick(click: ClickRecord): Promise<OfferProgress> {
    assertSerializable('the click', click);
    const shard = this.shards.progressShard(click.appId, click.uid);
    const p = this.ensureProgress(shard, click, click.at);
    p.clicks += 1;
    p.sid3 ??= click.sid3;
    p.firstClickAt ??= click.at;
    p.lastClickAt = click.at;
    p.updatedAt = click.at;
    await shard.commit();
    return structuredClone(p);
  }

  async recordEvent(event: EventRecord): Promise<EventOutcome> {
    assertSerializable('the event', event);
    const txKey = offerwallKey(event.appId, event.transactionId);
    const txShard = this.shards.transactionShard(event.appId, event.transactionId);
    const landing = this.landing.get(txKey);
    if (landing || txShard.get(txKey)) {
      // The first call may still be writing: a duplicate is only reported once that is durable.
      await (landing ?? txShard.commit());
      return this.duplicate(txShard, txKey, event);
    }
    // Put in this synchronous step: of concurrent calls with one transaction id, one records it.
    txShard.put({
      appId: event.appId,
      transactionId: event.transactionId,
      uid: event.uid,
      offerId: event.offerId,
      eventId: event.eventId,
      at: event.at,
    });
    const landed = this.land(txShard, txKey, event);
    this.landing.set(txKey, landed);
    try {
      return await landed;
    } finally {
      this.landing.delete(txKey);
    }
  }

  /**
   * Writes a postback's transaction, then its progress. The transaction first: when its write
   * fails (a full disk), its file sets itself back and nothing has changed, so the 503 is true
   * and the retry is recorded. Written second, the progress stayed completed after a 503 and
   * its retry was answered a duplicate of a failure; after a kill -9 between the two writes the
   * transaction id was free for another user (kill -9 probe). When the progress write fails,
   * the transaction is taken back; when a crash, or a failed write of that too, leaves the
   * transaction without its progress, the retry completes the progress (see duplicate).
   */
  private async land(txShard: TransactionShard, txKey: string, event: EventRecord): Promise<EventOutcome> {
    await txShard.commit();
    const shard = this.shards.progressShard(event.appId, event.uid);
    const { repeat, progress } = this.complete(shard, event);
    try {
      await shard.commit();
    } catch (err) {
      txShard.delete(txKey);
      await txShard.commit().catch(() => undefined);
      throw err;
    }
    return { result: repeat ? 'repeat' : 'recorded', progress: structuredClone(progress) };
  }

  /**
   * Completes the event in the user's progress, in one synchronous step: of concurrent
   * transactions for one event, one completes it, the others are repeats.
   */
  private complete(shard: ProgressShard, event: EventRecord): { repeat: boolean; progress: OfferProgress } {
    const p = this.ensureProgress(shard, event, event.at);
    const repeat = p.completedEvents.includes(event.eventId);
    if (!repeat) {
      p.completedEvents.push(event.eventId);
      if (event.final && p.status !== 'completed') {
        p.status = 'completed';
        p.completedAt = event.at;
      }
      p.updatedAt = event.at;
    }
    return { repeat, progress: p };
  }

  async recordedTransaction(appId: string, transactionId: string): Promise<DuplicateOutcome | null> {
    const txKey = offerwallKey(appId, transactionId);
    const txShard = this.shards.transactionShard(appId, transactionId);
    const landing = this.landing.get(txKey);
    if (!landing && !txShard.get(txKey)) return null;
    await (landing ?? txShard.commit());
    return this.duplicate(txShard, txKey, null);
  }

  /**
   * The outcome of a postback whose transaction is durable in `txShard`. A retry (`event`, the
   * same user, offer and event) of one whose progress a crash or a failed write lost completes
   * it first: the transaction record alone lacks what the progress needs (wall, offer type).
   */
  private async duplicate(
    txShard: TransactionShard,
    txKey: string,
    event: EventRecord | null,
  ): Promise<DuplicateOutcome> {
    const first = txShard.get(txKey);
    // Only a write that failed and was undone since the await takes it away: the caller retries.
    if (!first) throw new Error(`transaction ${txKey} was not stored: its write failed`);
    const shard = this.shards.progressShard(first.appId, first.uid);
    let progress = shard.ofUser(offerwallKey(first.appId, first.uid))?.get(first.offerId);
    const retry =
      event !== null &&
      event.uid === first.uid &&
      event.offerId === first.offerId &&
      event.eventId === first.eventId;
    if (retry && !progress?.completedEvents.includes(first.eventId)) {
      progress = this.complete(shard, event).progress;
      await shard.commit();
    }
    return {
      result: 'duplicate',
      first: { ...first },
      progress: progress ? structuredClone(progress) : null,
    };
  }

  async addBan(ban: Ban): Promise<AddedBan> {
    assertSerializable('the ban', ban);
    // Checked and pushed in one turn of the event loop: of concurrent adds, one pushes.
    const same = this.bans.data.bans.find((b) => sameBan(b, ban));
    if (same) {
      // It may be another add's, not yet on disk: answered once it is (a failed write
      // rejects here too, and takes it out of memory).
      await this.bans.commit();
      return { ban: { ...same }, created: false };
    }
    if (this.bans.data.bans.some((b) => b.appId === ban.appId && b.id === ban.id)) {
      throw new Error(`ban ${ban.id} already exists in app ${ban.appId}`);
    }
    this.bans.data.bans.push({ ...ban });
    this.indexBans();
    await this.bans.commit();
    return { ban: { ...ban }, created: true };
  }

  async listBans(appId: string): Promise<Ban[]> {
    return this.bans.data.bans.filter((b) => b.appId === appId).map((b) => ({ ...b }));
  }

  async removeBan(appId: string, banId: string): Promise<boolean> {
    const list = this.bans.data.bans;
    const i = list.findIndex((b) => b.appId === appId && b.id === banId);
    if (i < 0) {
      // Another remove's, maybe, not yet on disk: "not found" once it is, as addBan answers.
      await this.bans.commit();
      return false;
    }
    list.splice(i, 1);
    this.indexBans();
    await this.bans.commit();
    return true;
  }

  async bansFor(appId: string, uid: string): Promise<Ban[]> {
    const user = this.userBans.get(offerwallKey(appId, uid)) ?? [];
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
      bans: this.bans,
      progress: () => this.shards.progress.flatMap((s) => s.records),
      transactions: () => this.shards.transactions.flatMap((s) => s.records),
      addProgress: (p) => this.shards.putProgress(p),
      addTransaction: (t) => this.shards.putTransaction(t),
      indexBans: () => this.indexBans(),
    });
  }

  /** The user's progress on the offer, created (stored in `shard`, not yet written) when new. */
  private ensureProgress(
    shard: ProgressShard,
    ref: Pick<ClickRecord, 'appId' | 'uid' | 'offerId' | 'wallId' | 'category' | 'offerType'>,
    at: string,
  ): OfferProgress {
    const found = shard.ofUser(offerwallKey(ref.appId, ref.uid))?.get(ref.offerId);
    if (found) return found;
    const p: OfferProgress = {
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
    shard.put(p);
    return p;
  }

  private indexBans(): void {
    // Copies of one ban stored before adds were de-duplicated are one ban: the oldest is kept,
    // in memory now and on disk with the next write (not at open: a read-only data dir opens).
    const distinct = distinctBans(this.bans.data.bans);
    if (distinct.length < this.bans.data.bans.length) this.bans.data.bans = distinct;
    const user = new Map<string, Ban[]>();
    const ip = new Map<string, Ban[]>();
    for (const b of this.bans.data.bans) {
      const [m, k] = b.type === 'user' ? [user, offerwallKey(b.appId, b.value)] : [ip, b.appId];
      const list = m.get(k) ?? [];
      list.push(b);
      m.set(k, list);
    }
    this.userBans = user;
    this.ipBans = ip;
  }
}
