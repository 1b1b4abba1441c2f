import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { CollectionFile } from '../../store/document/collection-file.js';
import { fsyncDir } from '../../store/document/durable-json-file.js';
import type { ShardedCollection } from '../../store/document/sharded-collection.js';
import type { JourneysShard, StoredEvent, StoredOffer, StoredUser } from './journeys-indexes.js';

/** The two files a journeys store had before it was sharded. */
const UNSHARDED = ['journeys-profiles', 'journeys-activity'] as const;

interface Profiles {
  users: StoredUser[];
}
interface Activity {
  events: StoredEvent[];
  offers: StoredOffer[];
}

/**
 * Moves the records of an unsharded journeys store (journeys-profiles.json and
 * journeys-activity.json) into the shards, then deletes the two files. While they exist
 * they are the whole truth: shards left by an interrupted move are rebuilt from them (the
 * service never serves before this has finished), so running it again is safe.
 */
export async function migrateUnshardedJourneys(
  dir: string | null,
  shards: ShardedCollection<JourneysShard>,
  keyOf: (r: StoredUser | StoredEvent | StoredOffer) => string,
): Promise<void> {
  if (dir === null) return;
  const found = UNSHARDED.filter((name) => existsSync(path.join(dir, `${name}.json`)));
  if (found.length === 0) return;
  const profiles = await CollectionFile.open<Profiles>(dir, 'journeys-profiles', { users: [] });
  const activity = await CollectionFile.open<Activity>(dir, 'journeys-activity', { events: [], offers: [] });
  for (const shard of shards.shards) shard.data = { users: [], events: [], offers: [] };
  for (const u of profiles.data.users) shards.shardFor(keyOf(u)).data.users.push(u);
  for (const e of activity.data.events) shards.shardFor(keyOf(e)).data.events.push(e);
  for (const o of activity.data.offers) shards.shardFor(keyOf(o)).data.offers.push(o);
  await shards.commit(shards.shards);
  await Promise.all(found.map((name) => rm(path.join(dir, `${name}.json`))));
  await fsyncDir(dir);
}
