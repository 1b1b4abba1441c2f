import type { LastGoodRules, LastGoodSnapshot } from '../last-good-rules.js';
import { CollectionFile } from './collection-file.js';
import { isRecord } from './corrupt-store.js';

interface Document {
  apps: Record<string, LastGoodSnapshot>;
}

const isFile = (f: unknown): boolean =>
  isRecord(f) && typeof f.name === 'string' && typeof f.text === 'string';

/** The first app whose kept snapshot is not one (a hash and its files), as a problem. */
function snapshotsProblem(doc: Document): string | null {
  for (const [appId, s] of Object.entries(doc.apps)) {
    const ok = isRecord(s) && typeof s.hash === 'string' && Array.isArray(s.files) && s.files.every(isFile);
    if (!ok)
      return `"apps"."${appId}" is not a rules snapshot (a hash and its files, each a name and a text)`;
  }
  return null;
}

/** The embedded store's LastGoodRules: `<data dir>/rules-last-good.json`, one snapshot per app. */
export class LastGoodRulesFile implements LastGoodRules {
  private constructor(private readonly file: CollectionFile<Document>) {}

  /** Opens the file under `dir` (null: in memory, nothing kept). */
  static async open(dir: string | null): Promise<LastGoodRulesFile> {
    return new LastGoodRulesFile(
      await CollectionFile.open<Document>(dir, 'rules-last-good', { apps: {} }, snapshotsProblem),
    );
  }

  async put(appId: string, snapshot: LastGoodSnapshot): Promise<void> {
    // A record per app id, which config names: an own property, never a prototype's.
    this.file.data.apps = { ...this.file.data.apps, [appId]: snapshot };
    await this.file.commit();
  }

  async get(appId: string): Promise<LastGoodSnapshot | null> {
    return Object.hasOwn(this.file.data.apps, appId) ? (this.file.data.apps[appId] ?? null) : null;
  }

  flush(): Promise<void> {
    return this.file.flush();
  }
}
