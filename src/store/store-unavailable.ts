/**
 * Whether an error says the database cannot be reached or did not answer in time, as
 * opposed to a bug or a refused value: what the HTTP layer answers 503 for, so a client
 * retries instead of reading a 500. Codes: node's socket errors, PostgreSQL's classes
 * 08 (connection exception), 57P01–57P03 (shutdown, crash, starting up), 57014 (query
 * canceled: statement_timeout), 53300 (too many connections).
 */
const SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const SERVER = new Set(['57P01', '57P02', '57P03', '57014', '53300']);
// node-postgres throws these as plain Errors without a code.
const MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection ended unexpectedly',
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
