import type { AddedBan, Ban } from '../domain/bans.js';
import type { CatalogOffer } from '../domain/offer.js';
import type { OfferProgress } from '../domain/progress.js';
import type { RetiredOffer } from '../domain/retired-offers.js';

/** A wall's catalog as last synced from its feed. */
export interface StoredCatalog {
  appId: string;
  wallId: number;
  syncedAt: string;
  offers: CatalogOffer[];
  /** Offers syncs took out, kept for postbacks (RetiredOffer); absent in catalogs stored before them. */
  retired?: RetiredOffer[];
}

export interface ClickRecord {
  appId: string;
  wallId: number;
  uid: string;
  offerId: number;
  category: string;
  offerType: number;
  sid3: string | null;
  at: string;
}

export interface EventRecord {
  appId: string;
  wallId: number;
  uid: string;
  offerId: number;
  category: string;
  offerType: number;
  eventId: string;
  /** Unique per app: the idempotency key of the postback. */
  transactionId: string;
  /** True when `eventId` is the offer's final event: the offer becomes completed. */
  final: boolean;
  at: string;
}

/** What a postback's transaction id was first used for. */
export interface TransactionRecord {
  appId: string;
  transactionId: string;
  uid: string;
  offerId: number;
  eventId: string;
  at: string;
}

/** The transaction id was seen before: nothing changed; `first` is what it recorded then. */
export type DuplicateOutcome = {
  result: 'duplicate';
  first: TransactionRecord;
  progress: OfferProgress | null;
};

/**
 * `repeat`: the transaction id is new but the user had completed that event already (another
 * transaction paid it): the transaction is recorded, nothing else changes. Answered as a
 * duplicate: an integrator paying on `duplicate: false` paid such repeats again (hostile probe).
 */
export type EventOutcome =
  | { result: 'recorded'; progress: OfferProgress }
  | { result: 'repeat'; progress: OfferProgress }
  | DuplicateOutcome;

/**
 * What the offerwall keeps: synced catalogs, per-user offer progress, postback
 * transactions and bans. Every method resolves only once its write is durable.
 * A SQL adapter enforces the invariants with keys: progress is unique per
 * (appId, uid, offerId), transactions per (appId, transactionId), bans per (appId, id).
 */
export interface OfferwallStore {
  /** The last synced catalog of a wall, or null when none was ever synced. */
  getCatalog(appId: string, wallId: number): Promise<StoredCatalog | null>;
  /** Replaces the wall's stored catalog as a whole (upsert by appId + wallId). */
  saveCatalog(catalog: StoredCatalog): Promise<void>;

  /** The user's progress on every offer they started, in no particular order. */
  progressOf(appId: string, uid: string): Promise<OfferProgress[]>;
  /**
   * Records a click: creates the (appId, uid, offerId) progress as `in_progress` if it
   * is absent (insert-if-absent), else counts the click. A completed offer stays
   * completed; `sid3` is the first click's.
   */
  recordClick(click: ClickRecord): Promise<OfferProgress>;
  /**
   * Records an event completion exactly once per (appId, transactionId): the first call
   * adds the event to the progress (creating it if there was no click) and, for the
   * final event, marks the offer completed; every later call with that transaction id
   * changes nothing and returns `duplicate` with what the first call recorded. An event the
   * user completed under another transaction id is a `repeat` (atomically: of concurrent
   * transactions for one event, one is `recorded`).
   */
  recordEvent(event: EventRecord): Promise<EventOutcome>;
  /**
   * What `recordEvent` answers a replay of the transaction id, without recording anything:
   * null when the id was never recorded. Reads only (a postback whose offer or event is no
   * longer in the catalog is still answered as the replay it is).
   */
  recordedTransaction(appId: string, transactionId: string): Promise<DuplicateOutcome | null>;

  /**
   * Adds a ban, unless the app holds one that is the same (`sameBan`: type, value, wall):
   * then that one is returned, `created: false`, and nothing is written. Atomic: of
   * concurrent adds of one ban, one stores it. Ids are unique per app (the caller generates
   * them); a taken id is an error.
   */
  addBan(ban: Ban): Promise<AddedBan>;
  /** Every ban of the app, oldest first. */
  listBans(appId: string): Promise<Ban[]>;
  /** Removes a ban; false when the app has no ban with that id. */
  removeBan(appId: string, banId: string): Promise<boolean>;
  /** The bans that can stop `uid`: its user bans and every IP ban of the app. */
  bansFor(appId: string, uid: string): Promise<Ban[]>;
}
