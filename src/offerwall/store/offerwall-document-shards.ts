import type { CollectionFile } from '../../store/document/collection-file.js';
import type { OfferProgress } from '../domain/progress.js';
import type { TransactionRecord } from './offerwall-store.js';

export interface ProgressDocument {
  progress: OfferProgress[];
}
export interface TransactionsDocument {
  transactions: TransactionRecord[];
}

// App ids cannot contain '/', so `${appId}/${anything}` keys never collide.
export const offerwallKey = (appId: string, rest: string | number): string => `${appId}/${rest}`;
/** A progress record's shard key: its user's, so all of a user's progress is in one shard. */
export const keyOfProgress = (p: OfferProgress): string => offerwallKey(p.appId, p.uid);
export const keyOfTransaction = (t: TransactionRecord): string => offerwallKey(t.appId, t.transactionId);

/**
 * One progress shard file, indexed by user (app and uid) then offer. The file's list is
 * the truth: put() adds to it and to the index, and a failed write, which sets the list
 * back to the file's content, rebuilds the index of this shard alone.
 */
export class ProgressShard {
  #byUser = new Map<string, Map<number, OfferProgress>>();

  constructor(readonly file: CollectionFile<ProgressDocument>) {
    this.index();
    file.onRestore(() => this.index());
  }

  /** (Re)builds the index from the file's list. */
  index(): void {
    this.#byUser = new Map();
    for (const p of this.file.data.progress) this.#user(keyOfProgress(p)).set(p.offerId, p);
  }

  get records(): readonly OfferProgress[] {
    return this.file.data.progress;
  }

  /** The user's progress by offer id (undefined: none here). */
  ofUser(userKey: string): ReadonlyMap<number, OfferProgress> | undefined {
    return this.#byUser.get(userKey);
  }

  /** Stores `p`, in place of the user's record for the same offer if there is one. */
  put(p: OfferProgress): void {
    const forUser = this.#user(keyOfProgress(p));
    const old = forUser.get(p.offerId);
    replaceOrPush(this.file.data.progress, old, p);
    forUser.set(p.offerId, p);
  }

  commit(): Promise<void> {
    return this.file.commit();
  }

  #user(userKey: string): Map<number, OfferProgress> {
    let m = this.#byUser.get(userKey);
    if (!m) {
      m = new Map();
      this.#byUser.set(userKey, m);
    }
    return m;
  }
}

/** One transaction shard file, indexed by app and transaction id (see ProgressShard). */
export class TransactionShard {
  #byKey = new Map<string, TransactionRecord>();

  constructor(readonly file: CollectionFile<TransactionsDocument>) {
    this.index();
    file.onRestore(() => this.index());
  }

  index(): void {
    this.#byKey = new Map(this.file.data.transactions.map((t) => [keyOfTransaction(t), t]));
  }

  get records(): readonly TransactionRecord[] {
    return this.file.data.transactions;
  }

  get(txKey: string): TransactionRecord | undefined {
    return this.#byKey.get(txKey);
  }

  /** Stores `t`, in place of a stored one with the same app and transaction id. */
  put(t: TransactionRecord): void {
    const k = keyOfTransaction(t);
    replaceOrPush(this.file.data.transactions, this.#byKey.get(k), t);
    this.#byKey.set(k, t);
  }

  /** Takes the transaction out (until the next commit, in memory only). */
  delete(txKey: string): void {
    const t = this.#byKey.get(txKey);
    if (!t) return;
    const list = this.file.data.transactions;
    list.splice(list.indexOf(t), 1);
    this.#byKey.delete(txKey);
  }

  commit(): Promise<void> {
    return this.file.commit();
  }
}

/** Puts `next` where `old` is in `list`, or at its end. */
function replaceOrPush<R>(list: R[], old: R | undefined, next: R): void {
  const i = old === undefined ? -1 : list.indexOf(old);
  if (i >= 0) list[i] = next;
  else list.push(next);
}
