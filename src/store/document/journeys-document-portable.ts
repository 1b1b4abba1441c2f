import { journeyEventRecord, journeyOfferRecord, journeyUserRecord } from '../portable-records.js';
import type { CollectionFile } from './collection-file.js';
import type { ActivityDoc, JourneysIndexes, ProfilesDoc } from './journeys-indexes.js';
import { type DocumentCollections, documentCollection } from './portable-documents.js';

/** The journeys document store's collections as `offerd store copy` sees them (see PortableStore). */
export function journeysCollections(
  profiles: CollectionFile<ProfilesDoc>,
  activity: CollectionFile<ActivityDoc>,
  ix: JourneysIndexes,
): DocumentCollections {
  return {
    'journeys.users': documentCollection({
      records: () => profiles.data.users,
      canonical: journeyUserRecord,
      add: (u) => {
        profiles.data.users.push(u);
        ix.addUser(u);
        return profiles;
      },
    }),
    'journeys.events': documentCollection({
      records: () => activity.data.events,
      canonical: journeyEventRecord,
      add: (e) => {
        activity.data.events.push(e);
        ix.addEvent(e);
        return activity;
      },
    }),
    'journeys.offers': documentCollection({
      records: () => activity.data.offers,
      canonical: journeyOfferRecord,
      add: (o) => {
        activity.data.offers.push(o);
        ix.addOffer(o);
        return activity;
      },
    }),
  };
}
