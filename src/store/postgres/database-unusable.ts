/**
 * Why the database a connection URL names cannot be used at start: said as what is wrong, with
 * the URL's password masked, so that main and the CLI print one line naming the setting (a raw
 * pg error and its stack named neither, and 'not a url at all' read "getaddrinfo ENOTFOUND base").
 */
export class DatabaseUnusableError extends Error {
  constructor(
    /** The URL with its password masked; null when it does not parse. */
    readonly url: string | null,
    readonly reason: string,
    options?: {
      cause?: unknown;
      /**
       * The setting may be right and the database down for now (refused, no answer, full of
       * connections, starting up): not a configuration error, and a supervisor should start
       * offerd again, which exit 2 "invalid configuration" told it not to (crash probe).
       */
      unavailable?: boolean;
    },
  ) {
    super(url ? `${url}: ${reason}` : reason, options);
    this.name = 'DatabaseUnusableError';
    this.unavailable = options?.unavailable ?? false;
  }

  readonly unavailable: boolean;

  /** The one line naming the setting the URL came from (`DATABASE_URL`). */
  naming(setting: string): string {
    return this.url ? `${setting} (${this.url}): ${this.reason}` : `${setting}: ${this.reason}`;
  }
}

const PROTOCOLS = new Set(['postgres:', 'postgresql:', 'socket:']);
const FORM = 'postgres://user:password@host:5432/database';

/** Parsed as node-postgres does: an empty host (`user@/db`) means its default host. */
function parse(url: string): URL | null {
  for (const candidate of [url, url.replace('@/', '@localhost/')]) {
    try {
      return new URL(candidate);
    } catch {
      // try the next spelling
    }
  }
  return null;
}

/** The URL with its password masked: what may be printed. */
export function maskedUrl(url: string): string | null {
  if (url.startsWith('/')) return url.split(' ')[0] ?? url;
  const parsed = parse(url);
  if (!parsed) return null;
  if (parsed.password) parsed.password = '***';
  // pg reads these from the query too (`?password=…`): printed as given before (operator probe).
  for (const secret of ['password', 'sslpassword'])
    if (parsed.searchParams.has(secret)) parsed.searchParams.set(secret, '***');
  return parsed.toString();
}

/** What is wrong with the URL's form, or null. Not echoed: a mistyped URL may hold a password. */
export function urlProblem(url: string): string | null {
  if (url.startsWith('/')) return null; // a Unix socket directory
  const parsed = parse(url);
  if (!parsed) return `not a valid connection URL (${FORM}; a port is 1-65535)`;
  if (!PROTOCOLS.has(parsed.protocol))
    return `not a PostgreSQL connection URL: it starts with '${parsed.protocol}', not postgres:// (${FORM})`;
  return null;
}

const first = (err: unknown): unknown => (err instanceof AggregateError ? (err.errors[0] ?? err) : err);

/** node-postgres's words for a connection that got no answer within connectionTimeoutMillis. */
const CONNECT_TIMEOUT = /connection timeout|timeout exceeded when trying to connect/;

/** Codes of a database that may answer later: refused, unreachable, too many clients, starting or shutting down. */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // A Unix socket path whose server is down: its socket file is gone (focused probe).
  'ENOENT',
  '53300',
  '57P01',
  '57P03',
]);

/** Whether connecting failed because the database is unavailable for now, not because the URL is wrong. */
export function unavailableNow(err: unknown): boolean {
  const e = first(err) as { code?: unknown; message?: unknown };
  return UNAVAILABLE.has(String(e.code)) || CONNECT_TIMEOUT.test(String(e.message ?? err));
}

/** Why connecting failed, said for an operator: the pg error's own words when they say it. */
export function connectFailure(err: unknown, connectTimeoutMs: number): string {
  const e = first(err) as {
    code?: unknown;
    message?: unknown;
    address?: unknown;
    port?: unknown;
    hostname?: unknown;
  };
  const message = String(e.message ?? err);
  const at = e.address ? `${String(e.address)}${e.port ? `:${String(e.port)}` : ''}` : null;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `connection refused${at ? ` at ${at}` : ''}: is PostgreSQL running there, on that port?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return `host '${String(e.hostname ?? '')}' does not resolve (${e.code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return `no route to the host or no answer${at ? ` from ${at}` : ''} (${e.code})`;
    case '28P01':
    case '28000':
      return `${message}: check the user and password`;
    case '3D000':
      return `${message}: create it, or name an existing one`;
  }
  if (CONNECT_TIMEOUT.test(message))
    return `no answer within ${connectTimeoutMs} ms (OFFERD_PG_CONNECT_TIMEOUT_MS): is the host and port right, and reachable from here?`;
  return message;
}
