/**
 * A document's JSON text, byte for byte what `JSON.stringify(document)` gives, written into
 * pooled 256 KB buffers instead of one string.
 *
 * Why: a store file is rewritten every few seconds under load (write-behind of banner
 * visits rewrites every shard), and `JSON.stringify` of a 400 KB-6 MB document returns a
 * rope that writing flattens into one more string of that size. Strings over 128 KB live
 * in V8's large-object space, which only a major GC frees: under banner load that was
 * ~6 MB/s of old-generation garbage, and V8 let the heap grow by hundreds of MB before
 * collecting it. Here each record is stringified on its own (small strings that die young)
 * and only the buffers, reused from write to write, hold the whole text.
 */

const CHUNK_BYTES = 256 * 1024;
/** Records are joined into batches of about this many characters before one buffer write. */
const BATCH_CHARS = 16 * 1024;
/** Free chunks kept for the next write (2 MB: a banner shard takes 2); more are left to the GC. */
const MAX_SPARE = 8;
const spare: Buffer[] = [];

function takeChunk(): Buffer {
  return spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
}

/** Whether JSON.stringify writes `value` as its own enumerable members (no toJSON of its own). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && !('toJSON' in value);
}

const isPlainArray = (value: unknown): value is unknown[] => Array.isArray(value) && !('toJSON' in value);

/** The text of one JSON document in buffers; release() once they have been written. */
export class JsonChunks {
  /** Filled buffers, each cut to its used length. */
  readonly buffers: Buffer[] = [];
  private readonly pooled: Buffer[] = [];
  private current: Buffer | null = null;
  private used = 0;
  private batch: string[] = [];
  private batchChars = 0;

  /** Serializes `document`: a plain object's array members record by record, anything else whole. */
  static of(document: unknown): JsonChunks {
    const out = new JsonChunks();
    if (!isPlainObject(document)) {
      const text = JSON.stringify(document);
      if (text === undefined) throw new TypeError('the document has no JSON form');
      out.add(text);
    } else {
      out.add('{');
      let separator = '';
      for (const key of Object.keys(document)) {
        const value = document[key];
        if (isPlainArray(value)) {
          out.add(`${separator}${JSON.stringify(key)}:`);
          out.addArray(value);
        } else {
          const member = JSON.stringify(value);
          // As in JSON.stringify: a member without a JSON form (undefined, a function) is left out.
          if (member === undefined) continue;
          out.add(`${separator}${JSON.stringify(key)}:${member}`);
        }
        separator = ',';
      }
      out.add('}');
    }
    out.end();
    return out;
  }

  private addArray(items: readonly unknown[]): void {
    this.add('[');
    for (let i = 0; i < items.length; i++) {
      // As in JSON.stringify: an item without a JSON form (undefined, a function) is null.
      const text = JSON.stringify(items[i]) ?? 'null';
      this.add(i === 0 ? text : `,${text}`);
    }
    this.add(']');
  }

  private add(text: string): void {
    if (text.length === 0) return;
    this.batch.push(text);
    this.batchChars += text.length;
    if (this.batchChars >= BATCH_CHARS) this.drain();
  }

  private drain(): void {
    if (this.batch.length === 0) return;
    const text = this.batch.length === 1 ? (this.batch[0] as string) : this.batch.join('');
    this.batch = [];
    this.batchChars = 0;
    this.write(text);
  }

  private write(text: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit: count exactly only when it matters.
    const room = this.current ? this.current.length - this.used : 0;
    const bytes = text.length * 3 <= room ? -1 : Buffer.byteLength(text);
    if (bytes > room) {
      this.seal();
      if (bytes > CHUNK_BYTES) {
        // One record larger than a chunk: its own buffer.
        this.buffers.push(Buffer.from(text, 'utf8'));
        return;
      }
      this.current = takeChunk();
      this.pooled.push(this.current);
    }
    const current = this.current as Buffer;
    this.used += current.write(text, this.used, 'utf8');
  }

  private seal(): void {
    if (this.current && this.used > 0) this.buffers.push(this.current.subarray(0, this.used));
    this.current = null;
    this.used = 0;
  }

  private end(): void {
    this.drain();
    this.seal();
  }

  /** Gives the pooled buffers back for the next document; this one's text is gone. */
  release(): void {
    for (const chunk of this.pooled) if (spare.length < MAX_SPARE) spare.push(chunk);
    this.pooled.length = 0;
    this.buffers.length = 0;
  }
}
