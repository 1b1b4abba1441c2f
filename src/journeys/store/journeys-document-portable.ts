import type { CollectionFile } from '../../store/document/collection-file.js';
import type { JsonLinesLog } from '../../store/document/json-lines-log.js';
import { type DocumentCollections, documentCollection } from '../../store/document/portable-documents.js';
import type { Partition } from '../domain/journey-types.js';
import { type EventLine, eventLines } from './journeys-event-log.js';
import type { JourneysIndexes, JourneysShard, StoredEvent } from './journeys-indexes.js';
import { journeyEventRecord, journeyOfferRecord, journeyUserRecord } from './journeys-portable-records.js';

/** Where a record of one user goes: its user's shard. */
export type ShardOf = (record: Partition & { externalId: string }) => CollectionFile<JourneysShard>;

/** The journeys document store's collections as `offerd store copy` sees them (see PortableStore). */
export function journeysCollections(
  shards: readonly CollectionFile<JourneysShard>[],
  shardOf: ShardOf,
  ix: JourneysIndexes,
  eventLog: JsonLinesLog<EventLine>,
): DocumentCollections {
  /** The events of the import batch under way: appended to the log when it commits. */
  let importing: StoredEvent[] = [];
  const events = {
    commit: () => {
      const batch = importing;
      importing = [];
      // Taken back from the index if the write fails, as appendEvents does.
      return eventLog.append(eventLines(batch)).catch((err: unknown) => {
        for (const e of batch) ix.removeEvent(e);
        throw err;
      });
    },
  };
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
      // User by user, each user's in their order: what the index holds (the log and the claims in shards).
      records: () => ix.allEvents(),
      canonical: journeyEventRecord,
      add: (e) => {
        importing.push(e);
        ix.addEvent(e);
        return events;
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
