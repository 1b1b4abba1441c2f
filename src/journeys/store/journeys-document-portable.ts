import type { CollectionFile } from '../../store/document/collection-file.js';
import { type DocumentCollections, documentCollection } from '../../store/document/portable-documents.js';
import type { Partition } from '../domain/journey-types.js';
import type { JourneysIndexes, JourneysShard } from './journeys-indexes.js';
import { journeyEventRecord, journeyOfferRecord, journeyUserRecord } from './journeys-portable-records.js';

/** Where a record of one user goes: its user's shard. */
export type ShardOf = (record: Partition & { externalId: string }) => CollectionFile<JourneysShard>;

/** The journeys document store's collections as `offerd store copy` sees them (see PortableStore). */
export function journeysCollections(
  shards: readonly CollectionFile<JourneysShard>[],
  shardOf: ShardOf,
  ix: JourneysIndexes,
): DocumentCollections {
  return {
    'journeys.users': documentCollection({
      records: () => shards.flatMap((s) => s.data.users),
      canonical: journeyUserRecord,
      add: (u) => {
        const file = shardOf(u);
        file.data.users.push(u);
        ix.addUser(u);
        return file;
      },
    }),
    'journeys.events': documentCollection({
      records: () => shards.flatMap((s) => s.data.events),
      canonical: journeyEventRecord,
      add: (e) => {
        const file = shardOf(e);
        file.data.events.push(e);
        ix.addEvent(e);
        return file;
      },
    }),
    'journeys.offers': documentCollection({
      records: () => shards.flatMap((s) => s.data.offers),
      canonical: journeyOfferRecord,
      add: (o) => {
        const file = shardOf(o);
        file.data.offers.push(o);
        ix.addOffer(o);
        return file;
      },
    }),
  };
}
