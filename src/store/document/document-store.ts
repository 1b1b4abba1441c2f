import type { AnyApiStoreAdapters, Flushable } from '../api-store-adapters.js';
import type { PortableStore } from '../portable.js';
import type { Store } from '../store.js';
import { AdminActionFile } from './admin-action-file.js';
import { dataDirProblem } from './data-dir-health.js';
import { DataDirLock } from './data-dir-lock.js';
import { removeTempLeftovers } from './durable-json-file.js';
import { LastGoodRulesFile } from './last-good-rules-file.js';

/**
 * Each API's document sub-store by name, with its document-only members (files,
 * compaction) that tests and the bench reach for. Filled by declaration merging in
 * each API's registration, like ApiStores.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging, one entry per API.
export interface DocumentApiStores {}

/**
 * The embedded store: each collection an in-memory structure persisted as one JSON
 * file under the data dir (lowdb), or not at all (dir null: the in-memory adapter for
 * unit tests). Both share this code, so they cannot differ in behaviour.
 */
export type DocumentStore = Store & Readonly<DocumentApiStores> & { readonly dir: string | null };

type Part = Awaited<ReturnType<AnyApiStoreAdapters['openDocument']>>;

/** Every API's part, in order, from the files under `dir` (null: empty, in memory). */
async function openParts(dir: string | null, apis: readonly AnyApiStoreAdapters[]): Promise<Part[]> {
  // Temp files of writes a kill cut short: nobody else writes here while we hold the lock.
  if (dir !== null) await removeTempLeftovers(dir);
  // One API after the other, its shards one at a time (ShardedCollection.open): reading all
  // 227 files of the bench's 100,000-user store at once held their 272 MB of text and its
  // parse garbage together.
  const parts: Part[] = [];
  for (const api of apis) parts.push(await api.openDocument(dir));
  return parts;
}

/**
 * Opens every API's document part under `dir` (null: in memory). A dir is locked first,
 * before any file in it is read, until close(): a second process (or a second open in
 * this one) is refused with DataDirLockedError, since each would write its own memory
 * over the other's acknowledged writes.
 */
async function open(dir: string | null, apis: readonly AnyApiStoreAdapters[]): Promise<DocumentStore> {
  const lock = dir === null ? null : await DataDirLock.acquire(dir);
  let parts: Part[];
  let adminActions: AdminActionFile;
  let lastGoodRules: LastGoodRulesFile;
  try {
    parts = await openParts(dir, apis);
    adminActions = await AdminActionFile.open(dir);
    lastGoodRules = await LastGoodRulesFile.open(dir);
  } catch (err) {
    // The open's own error is the one to report (were the release to fail too, the lock would
    // name this process until it exits, and be taken over then).
    await lock?.release().catch(() => undefined);
    throw err;
  }
  const files: Flushable[] = [...parts.flatMap((p) => p.files), adminActions, lastGoodRules];
  const subStores: Record<string, unknown> = {};
  const portable: Record<string, PortableStore> = {};
  apis.forEach((api, i) => {
    const part = parts[i];
    if (!part) return;
    subStores[api.name] = part.store;
    portable[api.name] = part.portable;
  });
  const flush = async () => {
    await Promise.all(files.map((f) => f.flush()));
  };
  const close = async () => {
    try {
      await flush();
    } finally {
      await lock?.release();
    }
  };
  // Each name holds the sub-store its own adapter opened (ApiStoreAdapters ties them).
  return {
    ...subStores,
    kind: dir === null ? 'memory' : 'lowdb',
    dir,
    adminActions,
    lastGoodRules,
    portable,
    // Its files are this process's own: what fails writing them fails the write itself, and
    // what a disk refuses to all of them (full, read-only) is a reason not to be ready.
    health: () => (dir === null ? Promise.resolve(null) : dataDirProblem(dir)),
    flush,
    close,
  } as unknown as DocumentStore;
}

export const DocumentStore = { open };
