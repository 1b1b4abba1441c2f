import { ShardedCollection, shardIndex } from '../../store/document/sharded-collection.js';
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
 * with GC), and a click cost 4.6–6.1 ms of CPU (400 clicks, 20 at a time). A progress shard
 * is ~100 KB, 0.22 ms to serialize (a transaction shard ~40 KB, 0.09 ms); a click costs
 * 1.2–2.4 ms of CPU, most of it the one durable write (2026-12-02, a busy 2-core host).
 * May be raised later (records found in another shard are moved on open), never lowered
 * without that move.
 */
const SHARDS = 64;
/** The progress shards' name, and the one document of earlier versions (taken over on open). */
const PROGRESS = 'offerwall-progress';
const TRANSACTIONS = 'offerwall-transactions';

/** The document earlier versions kept progress and transactions in. */
interface SingleDocument {
  progress: OfferProgress[];
  transactions: TransactionRecord[];
}

/** What rehome() needs of a shard of either kind. */
interface Shard<R> {
  readonly records: readonly R[];
  put(record: R): void;
  keep(keep: (record: R) => boolean): void;
  commit(): Promise<void>;
}

/**
 * The offerwall's progress and transactions in shard files (`offerwall-progress-NN.json`,
 * `offerwall-transactions-NN.json`): a user's progress in the shard of (app, uid), a
 * transaction in the shard of (app, transaction id). Lookups go by key to one shard, so
 * every record is kept in the shard its key picks (see open()).
 */
export class ProgressDocuments {
  private constructor(
    readonly progress: readonly ProgressShard[],
    readonly transactions: readonly TransactionShard[],
  ) {}

  static async open(dir: string | null): Promise<ProgressDocuments> {
    const progress = await ShardedCollection.open<ProgressDocument>(dir, PROGRESS, SHARDS, () => ({
      progress: [],
    }));
    const transactions = await ShardedCollection.open<TransactionsDocument>(
      dir,
      TRANSACTIONS,
      SHARDS,
      () => ({
        transactions: [],
      }),
    );
    const docs = new ProgressDocuments(
      progress.shards.map((f) => new ProgressShard(f)),
      transactions.shards.map((f) => new TransactionShard(f)),
    );
    const single = await openSingleDocument<SingleDocument>(dir, PROGRESS, {
      progress: [],
      transactions: [],
    });
    await docs.rehome(single?.data ?? null);
    if (single && dir !== null) await removeSingleDocument(dir, PROGRESS);
    return docs;
  }

  progressShard(appId: string, uid: string): ProgressShard {
    return home(this.progress, offerwallKey(appId, uid));
  }

  transactionShard(appId: string, transactionId: string): TransactionShard {
    return home(this.transactions, offerwallKey(appId, transactionId));
  }

  /** Stores `p` in its shard, replacing the stored one of its user and offer; returns the shard. */
  putProgress(p: OfferProgress): ProgressShard {
    const shard = home(this.progress, keyOfProgress(p));
    shard.put(p);
    return shard;
  }

  /** Stores `t` in its shard, replacing the stored one of its id; returns the shard. */
  putTransaction(t: TransactionRecord): TransactionShard {
    const shard = home(this.transactions, keyOfTransaction(t));
    shard.put(t);
    return shard;
  }

  async flush(): Promise<void> {
    await Promise.all([...this.progress, ...this.transactions].map((s) => s.file.flush()));
  }

  /**
   * Puts every record in the shard its key picks: those of `single` (earlier versions' one
   * document) and those found in another shard (a store written with another shard count).
   * The shards records go to are written before the shards they leave are rewritten
   * without them: a crash in between leaves a record twice, moved again on the next open,
   * never nowhere. Nothing is written when every record is in place.
   */
  private async rehome(single: SingleDocument | null): Promise<void> {
    const progress = rehomeInMemory(this.progress, keyOfProgress, single?.progress ?? []);
    const transactions = rehomeInMemory(this.transactions, keyOfTransaction, single?.transactions ?? []);
    await Promise.all([...progress.gained, ...transactions.gained].map((s) => s.commit()));
    await Promise.all([...progress.dropStrays(), ...transactions.dropStrays()].map((s) => s.commit()));
  }
}

function home<S extends Shard<unknown>>(shards: readonly S[], key: string): S {
  return shards[shardIndex(key, shards.length)] as S;
}

/**
 * Puts `extra` and the records of `shards` found outside their key's shard in that shard.
 * Returns the shards that gained records, and dropStrays(), which takes the moved records
 * out of the shards they were found in and returns those shards.
 */
function rehomeInMemory<R>(
  shards: readonly Shard<R>[],
  keyOf: (record: R) => string,
  extra: readonly R[],
): { gained: Set<Shard<R>>; dropStrays(): Shard<R>[] } {
  const isHome = (shard: Shard<R>) => (r: R) => home(shards, keyOf(r)) === shard;
  const lost = shards.filter((s) => !s.records.every(isHome(s)));
  const moved = [...extra, ...lost.flatMap((s) => s.records.filter((r) => !isHome(s)(r)))];
  const gained = new Set<Shard<R>>();
  for (const r of moved) {
    const to = home(shards, keyOf(r));
    to.put(r);
    gained.add(to);
  }
  return {
    gained,
    dropStrays: () => {
      for (const s of lost) s.keep(isHome(s));
      return lost;
    },
  };
}
