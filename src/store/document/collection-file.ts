import path from 'node:path';
import { Low } from 'lowdb';
import { DurableJsonFile } from './durable-json-file.js';
import { GroupCommit } from './group-commit.js';

const NAME = /^[A-Za-z0-9][\w-]*$/;

/**
 * One collection kept as a single JSON document `<dir>/<name>.json`.
 *
 * Callers mutate `data` in place, then await commit(), which resolves once a write
 * containing that mutation is on disk. With `dir === null` the collection lives only in
 * memory: nothing is written and commit() resolves immediately.
 */
export class CollectionFile<T> {
  data: T;
  readonly #group: GroupCommit | null;

  private constructor(data: T, low: Low<T> | null) {
    this.data = data;
    this.#group =
      low &&
      new GroupCommit(async () => {
        // Callers may have replaced `data` wholesale rather than mutated it.
        low.data = this.data;
        await low.write();
      });
  }

  static async open<T>(dir: string | null, name: string, defaults: T): Promise<CollectionFile<T>> {
    if (!NAME.test(name)) throw new Error(`invalid collection name: ${JSON.stringify(name)}`);
    // Callers mutate in place; a shared defaults object must not absorb those mutations.
    const initial = structuredClone(defaults);
    if (dir === null) return new CollectionFile(initial, null);
    const low = new Low<T>(new DurableJsonFile<T>(path.join(dir, `${name}.json`)), initial);
    await low.read();
    return new CollectionFile(low.data, low);
  }

  /** Number of writes that reached disk (always 0 in memory). */
  get writes(): number {
    return this.#group?.writes ?? 0;
  }

  /** Resolves once the current content of `data` is on disk. */
  commit(): Promise<void> {
    return this.#group ? this.#group.commit() : Promise.resolve();
  }

  /** Waits for in-flight and pending writes, e.g. before shutdown. */
  flush(): Promise<void> {
    return this.#group ? this.#group.flush() : Promise.resolve();
  }
}
