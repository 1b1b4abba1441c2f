/** A record the document store refused before changing anything: it has no JSON form to write. */
export class UnserializableRecordError extends Error {
  constructor(what: string, cause: unknown) {
    super(`${what} cannot be stored: it has no JSON form (${(cause as Error)?.message ?? cause})`, { cause });
    this.name = 'UnserializableRecordError';
  }
}

/**
 * Throws unless `value` serializes (JSON.stringify: no BigInt, no cycle, not nested so
 * deep that it overflows the stack). Called on every record a write brings in, before the
 * write changes shared memory: a record that cannot be written would otherwise sit in a
 * shard that no write can serialize any more, failing every other user's write there.
 * It costs one stringify of the new record (a few µs), checked here at the caller's depth
 * of stack; the shard write later stringifies it from a shallower one.
 */
export function assertSerializable(what: string, value: unknown): void {
  try {
    JSON.stringify(value);
  } catch (err) {
    throw new UnserializableRecordError(what, err);
  }
}
