import { ShardedCollection } from '../../store/document/sharded-collection.js';
import { openSingleDocument, removeSingleDocument } from '../../store/document/single-document.js';
import type { OfferProgress } from '../domain/progress.js';
import {
  keyOfProgress,
  keyOfTransaction,
  offerwallKey,
  type ProgressDocument,
  ProgressShard,
  TransactionShard,
  type TransactionsDocument,
} from './offerwall-document-shards.js';
import type { TransactionRecord } from './offerwall-store.js';

/**
 * Shards of progress and of transactions. Both were one document, offerwall-progress.json,
 * rewritten whole by every click and postback. On the bench world (100,000 users, 9 MB)
 * serializing it took 23 ms of every write, the event loop standing still (41–65 ms stalls
 * with GC), and a click cost 4.6–6.1 ms of CPU (400 clicks, 20 at a time). In 64 shards a
 * click cost 1.2–2.4 ms of CPU (2026-12-02, a busy 2-core host). Progress is written by
 * clicks, which need no key: clicks of new uids with a 4 KB sid3 grew 64 shards to 2.5 MB
 * each and a click to 9 ms of CPU (hostile probe, 20,000 clicks; `bench/offerwall-click-cost.ts`),
 * hence 512, as the banner's, for progress. Transactions need the postback secret.
 * May be raised later (records found in another shard are moved on open), never lowered
 * without that move.
 */
const PROGRESS_SHARDS = 512;
const TRANSACTION_SHARDS = 64;
/** The progress shards' name, and the one document of earlier versions (taken over on open). */
const PROGRESS = 'offerwall-progress';
const TRANSACTIONS = 'offerwall-transactions';

/** The document earlier versions kept progress and transactions in. */
interface SingleDocument {
  progress: OfferProgress[];
  transactions: TransactionRecord[];
}

/**
 * The offerwall's progress and transactions in shard files (`offerwall-progress-NN.json`,
 * `offerwall-transactions-NN.json`): a user's progress in the shard of (app, uid), a
 * transaction in the shard of (app, transaction id). Lookups go by key to one shard, so
 * every record is kept in the shard its key picks (see open()).
 */
export class ProgressDocuments {
  readonly progress: readonly ProgressShard[];
  readonly transactions: readonly TransactionShard[];

  private constructor(
    private readonly progressFiles: ShardedCollection<ProgressDocument>,
    private readonly transactionFiles: ShardedCollection<TransactionsDocument>,
  ) {
    this.progress = progressFiles.shards.map((f) => new ProgressShard(f));
    this.transactions = transactionFiles.shards.map((f) => new TransactionShard(f));
  }

  static async open(dir: string | null): Promise<ProgressDocuments> {
    const progress = await ShardedCollection.open<ProgressDocument>(dir, PROGRESS, PROGRESS_SHARDS, () => ({
      progress: [],
    }));
    const transactions = await ShardedCollection.open<TransactionsDocument>(
      dir,
      TRANSACTIONS,
      TRANSACTION_SHARDS,
      () => ({
        transactions: [],
      }),
    );
    const single = await openSingleDocument<SingleDocument>(dir, PROGRESS, {
      progress: [],
      transactions: [],
    });
    // Every record in the shard its key picks (lookups go by key alone).
    await progress.rehome([
      {
        of: (d) => d.progress,
        key: keyOfProgress,
        id: (p) => `${keyOfProgress(p)}/${p.offerId}`,
        incoming: single?.data.progress ?? [],
      },
    ]);
    await transactions.rehome([
      { of: (d) => d.transactions, key: keyOfTransaction, incoming: single?.data.transactions ?? [] },
    ]);
    const docs = new ProgressDocuments(progress, transactions);
    if (single && dir !== null) await removeSingleDocument(dir, PROGRESS);
    return docs;
  }

  progressShard(appId: string, uid: string): ProgressShard {
    return this.progressHome(offerwallKey(appId, uid));
  }

  transactionShard(appId: string, transactionId: string): TransactionShard {
    return this.transactionHome(offerwallKey(appId, transactionId));
  }

  /** Stores `p` in its shard, replacing the stored one of its user and offer; returns the shard. */
  putProgress(p: OfferProgress): ProgressShard {
    const shard = this.progressHome(keyOfProgress(p));
    shard.put(p);
    return shard;
  }

  /** Stores `t` in its shard, replacing the stored one of its id; returns the shard. */
  putTransaction(t: TransactionRecord): TransactionShard {
    const shard = this.transactionHome(keyOfTransaction(t));
    shard.put(t);
    return shard;
  }

  async flush(): Promise<void> {
    await Promise.all([...this.progress, ...this.transactions].map((s) => s.file.flush()));
  }

  // Where the key's records are: open() rehomed every record to the shard its key picks.
  private progressHome(key: string): ProgressShard {
    return this.progress[this.progressFiles.indexOf(key)] as ProgressShard;
  }

  private transactionHome(key: string): TransactionShard {
    return this.transactions[this.transactionFiles.indexOf(key)] as TransactionShard;
  }
}
