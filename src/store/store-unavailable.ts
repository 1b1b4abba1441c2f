/**
 * Whether an error says the database cannot be reached or did not answer in time, as
 * opposed to a bug or a refused value: what the HTTP layer answers 503 for, so a client
 * retries instead of reading a 500 (the embedded store's disk refusals: isDiskRefusal).
 * Codes: node's socket errors, PostgreSQL's classes 08 (connection exception), 57P01–57P03 (shutdown, crash, starting up), 57014 (query
 * canceled: statement_timeout), 53300 (too many connections), 25006 (read-only transaction: a
 * database set read-only, or a standby after a failover, refuses every write), 40001 and 40P01
 * (a statement a standby canceled in a conflict with recovery; a serialization failure or
 * deadlock rolled back too, and is worth the same retry), 53100 (the database's disk is full).
 */
const SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const SERVER = new Set(['57P01', '57P02', '57P03', '57014', '53300', '25006', '40001', '40P01', '53100']);
// node-postgres throws these as plain Errors without a code.
const MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection ended unexpectedly',
  // The client's own query_timeout (counted-pool.ts): a server that hangs never answers.
  'Query read timeout',
];

/** The store is fine, but what a call needs is held by another call for now: retry later. */
export class StoreBusyError extends Error {
  constructor(message: string) {
    super(`${message}: retry later`);
    this.name = 'StoreBusyError';
  }
}

export function isStoreUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof StoreBusyError) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET.has(code) || SERVER.has(code) || code.startsWith('08')))
    return true;
  // An AggregateError (connecting to every address of a host failed) carries them inside.
  if (err instanceof AggregateError) return err.errors.some(isStoreUnavailable);
  return MESSAGES.some((m) => err.message.includes(m));
}
