import {
  KEPT_PER_APP,
  type KeptSnapshotEntry,
  type LastGoodRules,
  type LastGoodSnapshot,
} from '../last-good-rules.js';
import { CollectionFile } from './collection-file.js';
import { isRecord } from './corrupt-store.js';

type KeptSnapshot = LastGoodSnapshot & KeptSnapshotEntry;

interface Document {
  apps: Record<string, LastGoodSnapshot>;
  /** Per app, the newest first; absent in files of versions before it (read as none). */
  kept: Record<string, KeptSnapshot[]>;
}

const isFile = (f: unknown): boolean =>
  isRecord(f) && typeof f.name === 'string' && typeof f.text === 'string';
const isSnapshot = (s: unknown): boolean =>
  isRecord(s) && typeof s.hash === 'string' && Array.isArray(s.files) && s.files.every(isFile);

/** The first app whose kept snapshot is not one (a hash and its files), as a problem. */
function snapshotsProblem(doc: Document): string | null {
  const shape = 'a rules snapshot (a hash and its files, each a name and a text)';
  for (const [appId, s] of Object.entries(doc.apps)) {
    if (!isSnapshot(s)) return `"apps"."${appId}" is not ${shape}`;
  }
  for (const [appId, list] of Object.entries(doc.kept)) {
    const ok =
      Array.isArray(list) && list.every((s) => isSnapshot(s) && typeof (s as KeptSnapshot).at === 'string');
    if (!ok) return `"kept"."${appId}" is not a list of ${shape} and when it went live`;
  }
  return null;
}

const own = <T>(record: Record<string, T>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/** The embedded store's LastGoodRules: `<data dir>/rules-last-good.json`. */
export class LastGoodRulesFile implements LastGoodRules {
  private constructor(private readonly file: CollectionFile<Document>) {}

  /** Opens the file under `dir` (null: in memory, nothing kept). */
  static async open(dir: string | null): Promise<LastGoodRulesFile> {
    return new LastGoodRulesFile(
      await CollectionFile.open<Document>(dir, 'rules-last-good', { apps: {}, kept: {} }, snapshotsProblem),
    );
  }

  async put(appId: string, snapshot: LastGoodSnapshot): Promise<void> {
    const data = this.file.data;
    const before = (own(data.kept, appId) ?? []).filter((s) => s.hash !== snapshot.hash);
    const kept = [{ ...snapshot, at: new Date().toISOString() }, ...before].slice(0, KEPT_PER_APP);
    // A record per app id, which config names: an own property, never a prototype's.
    this.file.data.apps = { ...data.apps, [appId]: snapshot };
    this.file.data.kept = { ...data.kept, [appId]: kept };
    await this.file.commit();
  }

  async get(appId: string): Promise<LastGoodSnapshot | null> {
    return own(this.file.data.apps, appId) ?? null;
  }

  async find(appId: string, hash: string): Promise<LastGoodSnapshot | null> {
    const found = (own(this.file.data.kept, appId) ?? []).find((s) => s.hash === hash);
    return found ? { hash: found.hash, files: found.files } : null;
  }

  async kept(appId: string): Promise<KeptSnapshotEntry[]> {
    return (own(this.file.data.kept, appId) ?? []).map((s) => ({ hash: s.hash, at: s.at }));
  }

  flush(): Promise<void> {
    return this.file.flush();
  }
}
