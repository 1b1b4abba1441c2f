import path from 'node:path';
import { Low, Memory } from 'lowdb';
import { isRecord } from './corrupt-store.js';
import { DurableJsonFile, damagedFile } from './durable-json-file.js';
import { GroupCommit } from './group-commit.js';

const NAME = /^[A-Za-z0-9][\w-]*$/;

/**
 * What is wrong with a document read from disk, or null. A list or record its defaults have
 * and it lacks is added, empty (a document of a version before that list). Each list must
 * be a list of records and each record a record: `{"users":"oops"}` or `{"users":[1,null]}`
 * (a file edited or damaged outside offerd) failed later, in a rehome or an index, as a
 * TypeError with a stack instead of this message (operator probe). A document with none of
 * its keys is no document of this file, whatever version: `{"x":1}` as the bans file was
 * read as no bans, and `{}` of `rules-last-good.json` failed the start with a TypeError.
 */
function documentProblem<T>(data: T, defaults: T): string | null {
  const doc = data as Record<string, unknown>;
  const keys = Object.keys(defaults as Record<string, unknown>);
  if (keys.length > 0 && !keys.some((k) => Object.hasOwn(doc, k)))
    return `holds none of ${keys.map((k) => `"${k}"`).join(', ')}: it is no document of this file`;
  for (const [key, value] of Object.entries(defaults as Record<string, unknown>)) {
    if (isRecord(value)) {
      if (doc[key] === undefined) doc[key] = {};
      if (!isRecord(doc[key])) return `"${key}" is not a record`;
      continue;
    }
    if (!Array.isArray(value)) continue;
    if (doc[key] === undefined) doc[key] = [];
    const list = doc[key];
    if (!Array.isArray(list)) return `"${key}" is not a list`;
    const bad = list.findIndex((r) => !isRecord(r));
    if (bad >= 0) return `"${key}"[${bad}] is not a record`;
  }
  return null;
}

/**
 * One collection kept as a single JSON document `<dir>/<name>.json`.
 *
 * Callers mutate `data` in place, then await commit(), which resolves once a write
 * containing that mutation is on disk. With `dir === null` the collection lives only in
 * memory: nothing is written and commit() resolves immediately.
 *
 * A write that fails (the disk, or a document that cannot be serialized) sets `data` back
 * to the file's content and calls the onRestore listener, which rebuilds whatever indexes
 * the owner keeps over `data`; every commit whose change that dropped rejects (see
 * GroupCommit). Callers should still check a record serializes before they mutate
 * (assertSerializable): this is the last line, and it fails every waiter of the file.
 */
export class CollectionFile<T> {
  /** lowdb's `Low` holds the document; `data` is its `low.data`. */
  readonly #low: Low<T>;
  readonly #group: GroupCommit | null;
  #onRestore: () => void = () => {};

  private constructor(low: Low<T>, persisted: boolean, defaults: T) {
    this.#low = low;
    this.#group = persisted
      ? new GroupCommit(
          () => low.write(),
          async () => {
            const onDisk = (await low.adapter.read()) ?? structuredClone(defaults);
            return () => {
              low.data = onDisk;
              this.#onRestore();
            };
          },
        )
      : null;
  }

  get data(): T {
    return this.#low.data;
  }

  /** Callers may replace the document wholesale rather than mutate it. */
  set data(value: T) {
    this.#low.data = value;
  }

  /**
   * `check`: what else is wrong with the document as read (its records' own shape), or null;
   * a problem refuses the open with the damaged-file message.
   */
  static async open<T>(
    dir: string | null,
    name: string,
    defaults: T,
    check: (data: T) => string | null = () => null,
  ): Promise<CollectionFile<T>> {
    if (!NAME.test(name)) throw new Error(`invalid collection name: ${JSON.stringify(name)}`);
    // Callers mutate in place; a shared defaults object must not absorb those mutations.
    const initial = structuredClone(defaults);
    if (dir === null) return new CollectionFile(new Low<T>(new Memory<T>(), initial), false, defaults);
    const file = path.join(dir, `${name}.json`);
    const low = new Low<T>(new DurableJsonFile<T>(file), initial);
    await low.read();
    const problem = documentProblem(low.data, defaults) ?? check(low.data);
    if (problem) throw damagedFile(file, problem);
    return new CollectionFile(low, true, structuredClone(defaults));
  }

  /** Called after a failed write has set `data` back to the file's content. */
  onRestore(listener: () => void): void {
    this.#onRestore = listener;
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
