import type { LastGoodRules, LastGoodSnapshot } from '../last-good-rules.js';
import { CollectionFile } from './collection-file.js';

interface Document {
  apps: Record<string, LastGoodSnapshot>;
}

/** The embedded store's LastGoodRules: `<data dir>/rules-last-good.json`, one snapshot per app. */
export class LastGoodRulesFile implements LastGoodRules {
  private constructor(private readonly file: CollectionFile<Document>) {}

  /** Opens the file under `dir` (null: in memory, nothing kept). */
  static async open(dir: string | null): Promise<LastGoodRulesFile> {
    return new LastGoodRulesFile(await CollectionFile.open<Document>(dir, 'rules-last-good', { apps: {} }));
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
