import type { CollectionFile } from '../../store/document/collection-file.js';
import { type DocumentCollections, documentCollection } from '../../store/document/portable-documents.js';
import type { ShardedCollection } from '../../store/document/sharded-collection.js';
import {
  type AssignmentRecord,
  assignmentRecord,
  type BannerUserRecord,
  bannerUserRecord,
  type ExperimentEndRecord,
  type ExposureRecord,
  experimentEndRecord,
  exposureRecord,
  type RecentEventsRecord,
  recentEventsRecord,
} from './banner-portable-records.js';

/** What the banner document store lends its export/import: its files and index updates. */
export interface BannerDocuments {
  users: ShardedCollection<{ users: BannerUserRecord[] }>;
  assignments: ShardedCollection<{ assignments: AssignmentRecord[] }>;
  events: ShardedCollection<{ logs: RecentEventsRecord[] }>;
  exposures: CollectionFile<{ counters: ExposureRecord[] }>;
  ends: CollectionFile<{ ends: ExperimentEndRecord[] }>;
  /** Where the store puts a new record of this user (its shard key). */
  shardKey(appId: string, userId: string): string;
  /** Indexes a record just added to the shard its key picks. */
  indexUser(u: BannerUserRecord): void;
  indexAssignment(a: AssignmentRecord): void;
  indexLog(l: RecentEventsRecord): void;
  indexExposure(c: ExposureRecord): void;
  indexEnd(e: ExperimentEndRecord): void;
}

/** The banner document store's collections as `offerd store copy` sees them (see PortableStore). */
export function bannerCollections(d: BannerDocuments): DocumentCollections {
  return {
    'banner.users': documentCollection({
      records: () => d.users.shards.flatMap((f) => f.data.users),
      canonical: bannerUserRecord,
      add: (u) => {
        const file = d.users.shardFor(d.shardKey(u.appId, u.userId));
        file.data.users.push(u);
        d.indexUser(u);
        return file;
      },
    }),
    'banner.assignments': documentCollection({
      records: () => d.assignments.shards.flatMap((f) => f.data.assignments),
      canonical: assignmentRecord,
      add: (a) => {
        const file = d.assignments.shardFor(d.shardKey(a.appId, a.userId));
        file.data.assignments.push(a);
        d.indexAssignment(a);
        return file;
      },
    }),
    'banner.recentEvents': documentCollection({
      records: () => d.events.shards.flatMap((f) => f.data.logs),
      canonical: recentEventsRecord,
      add: (l) => {
        const file = d.events.shardFor(d.shardKey(l.appId, l.userId));
        file.data.logs.push(l);
        d.indexLog(l);
        return file;
      },
    }),
    'banner.exposures': documentCollection({
      records: () => d.exposures.data.counters,
      canonical: exposureRecord,
      add: (c) => {
        d.exposures.data.counters.push(c);
        d.indexExposure(c);
        return d.exposures;
      },
    }),
    'banner.experimentEnds': documentCollection({
      records: () => d.ends.data.ends,
      canonical: experimentEndRecord,
      add: (e) => {
        d.ends.data.ends.push(e);
        d.indexEnd(e);
        return d.ends;
      },
    }),
  };
}
