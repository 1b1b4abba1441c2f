import { rm } from 'node:fs/promises';
import path from 'node:path';
import { CollectionFile } from './collection-file.js';
import { fileExists, fsyncDir } from './durable-json-file.js';

/*
 * The one document `<dir>/<name>.json` a collection was kept in before it was sharded
 * (the shards are `<name>-NN.json`). A store takes it over on open: it puts the document's
 * records in their shards, writes them, then removes the document. Until it is removed it
 * is the truth, and putting the same records again gives the same shards, so a crash
 * anywhere in between only means taking it over again on the next open.
 */

/** The single document of earlier versions, or null when there is none (or no dir). */
export async function openSingleDocument<T>(
  dir: string | null,
  name: string,
  defaults: T,
): Promise<CollectionFile<T> | null> {
  if (dir === null || !(await fileExists(path.join(dir, `${name}.json`)))) return null;
  return CollectionFile.open<T>(dir, name, defaults);
}

/** Removes the single document once its records are on disk in their shards. */
export async function removeSingleDocument(dir: string, name: string): Promise<void> {
  await rm(path.join(dir, `${name}.json`));
  await fsyncDir(dir);
}
