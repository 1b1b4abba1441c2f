import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { type ApiFamily, renderError } from './api-family.js';
import { AppError } from './app-error.js';
import type { ErrorCode } from './error-catalogue.js';
import { supportIdGenerator } from './request-context.js';

/**
 * How long a client has to send a request's headers, and the whole request; how long an
 * idle keep-alive connection stays open.
 */
export interface HttpTimeouts {
  headersMs: number;
  requestMs: number;
  keepAliveMs: number;
}

/**
 * Keep-alive outlasts the clients' and proxies' own idle timeouts (undici 4 s, Node's
 * agent 4-5 s, nginx 60 s upstream, AWS ALB 60 s), so the client always closes an idle
 * connection first. With Node's 5 s the server could close one the client had just
 * reused: a request written as the server's timer fired was reset (ECONNRESET) and, not
 * being idempotent for every client, not retried. Tests saw it under load; behind a load
 * balancer it is a sporadic 502.
 */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = Object.freeze({
  headersMs: 20_000,
  requestMs: 30_000,
  keepAliveMs: 65_000,
});

/**
 * Open connections the server accepts at once; Node closes any connection past them as it
 * arrives. Without a bound, two clients holding 20,000 half-sent requests took the process
 * to 19,481 open files of its 20,000 (an outside probe): the rules watcher then failed with
 * EMFILE, and so would any write of the store. Half that limit leaves the files their room.
 * A per-client bound is a proxy's job (docs/operations.md).
 */
export const MAX_CONNECTIONS = 10_000;

/**
 * How long a server stopping on SIGTERM keeps accepting and answering, every response
 * closing its connection, before it stops accepting (closeHttpServer). Node's close() drops
 * the idle kept-alive connections at once, and a request a client sent on one just then
 * was reset: 1-3 per shutdown under load (an operator probe). Draining first moves the
 * clients off their kept-alive connections; the drain ends early once none is open.
 */
export const SHUTDOWN_DRAIN_MS = 1_000;

/** Set on a server while closeHttpServer drains it: its responses close their connections. */
const DRAINING = Symbol('offerd.draining');
type DrainableServer = Server & { [DRAINING]?: boolean };

/** What a client gets for a request refused before routing. */
interface TransportAnswer {
  status: number;
  reason: string;
  code: ErrorCode;
  message: string;
}

const EXPECTATION_FAILED: TransportAnswer = {
  status: 417,
  reason: 'Expectation Failed',
  code: 'EXPECTATION_FAILED',
  message: 'only Expect: 100-continue is supported',
};

/** CONNECT (a proxy tunnel) is no request of any API; Node would close the socket unanswered. */
const CONNECT_REFUSED: TransportAnswer = {
  status: 405,
  reason: 'Method Not Allowed',
  code: 'METHOD_NOT_ALLOWED',
  message: 'CONNECT is not allowed: offerd is not a proxy',
};

/** Node's parser and timeout error codes, as the status and message the client gets. */
function answerFor(code: string): TransportAnswer {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        reason: 'Request Header Fields Too Large',
        code: 'HEADERS_TOO_LARGE',
        message: 'request headers are too large',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        reason: 'Request Timeout',
        code: 'REQUEST_TIMEOUT',
        message: 'the request was not received in time',
      };
    default:
      return {
        status: 400,
        reason: 'Bad Request',
        code: 'BAD_REQUEST',
        message: 'the request is not valid HTTP',
      };
  }
}

/** A request line as far as Node's parser had it: method and target, when they read as HTTP. */
const REQUEST_LINE = /^([A-Z]{1,16}) (\S{1,8192}) HTTP\/\d\.\d\r?\n/;

/**
 * The path and query of the request the parser refused, from the bytes it was parsing
 * (`rawPacket`: the chunk it failed in, which holds the request line when the client sent
 * the head in one write, as clients do); null when they do not start with a request line.
 */
function refusedTarget(raw: unknown): RequestTarget | null {
  if (!Buffer.isBuffer(raw)) return null;
  const line = REQUEST_LINE.exec(raw.subarray(0, 8300).toString('latin1'));
  return requestTarget(line?.[2]);
}

interface RequestTarget {
  path: string;
  /** `verbose=1`: the Kibotu SDKs' object reply instead of `0`. */
  verbose: boolean;
}

/** A request target's path and verbose flag; null when it is no origin-form target. */
function requestTarget(target: string | undefined): RequestTarget | null {
  if (!target?.startsWith('/')) return null;
  const query = target.indexOf('?');
  const path = query < 0 ? target : target.slice(0, query);
  const verbose = query >= 0 && new URLSearchParams(target.slice(query + 1)).get('verbose') === '1';
  return { path, verbose };
}

/**
 * Whether a response of this connection has begun: then nothing more may be written
 * to it. Node's own default handler checks the same (`socket._httpMessage`).
 */
function responseStarted(socket: Duplex): boolean {
  return (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
}

/**
 * At most one log line per distinct cause per window: a fuzzer or a scanner sends
 * thousands of bad requests, and each line would say the same thing.
 */
export class LogOncePer {
  readonly #last = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether `cause` may be logged now; true at most once per window. */
  allow(cause: string): boolean {
    const t = this.now();
    const last = this.#last.get(cause);
    if (last !== undefined && t - last < this.windowMs) return false;
    if (this.#last.size > 1000) this.#last.clear();
    this.#last.set(cause, t);
    return true;
  }
}

/** A request that reached the handler, and its response. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
}

/**
 * Whether the connection's latest request was answered before its body was read (a 401 before
 * an admin body, a 413, a 415). Node then keeps reading that body to find the next request, and
 * when the body trickles past `requestMs` its timeout is a clientError for the same request.
 * It was answered once: the connection is closed, not answered again with a 408 the client never
 * asked for. (Answering such refusals with `Connection: close` instead made the kernel reset
 * connections with unread bytes, and clients lost the refusal itself.)
 */
function answeredBeforeItsBody(latest: Exchange | undefined): boolean {
  return latest?.res.writableFinished === true && !latest.req.complete;
}

/**
 * The HTTP server for `handler`, with its timeouts, that answers what Node's HTTP parser
 * refuses (malformed requests, oversized headers, a request not received within
 * `requestMs`) with a JSON error, as every other response is, and logs only the error's
 * code: the error Node hands over carries the raw request (`rawPacket`), API keys and
 * the admin token included, which must never reach a log. When the refused bytes start
 * with a request line, `familyOf` its path (the API whose router claims it) picks the
 * envelope, as for any other error of that API (431 on /v1/user-journeys/… is GamifyHost's
 * `{message, code, status}`); otherwise, or on a path no API has, the neutral one.
 */
export function createHttpServer(
  handler: RequestListener,
  logger: Logger,
  timeouts = DEFAULT_HTTP_TIMEOUTS,
  familyOf: (path: string) => ApiFamily = () => 'neutral',
  maxConnections = MAX_CONNECTIONS,
): Server {
  // Per connection its latest exchange; weakly held, so nothing outlives its connection.
  const latest = new WeakMap<Duplex, Exchange>();
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // How often Node looks for connections past those timeouts (30 s by default, which
      // would let a slow body hold a connection for up to a minute).
      connectionsCheckingInterval: Math.min(1_000, timeouts.headersMs, timeouts.requestMs),
      // Node answers an HTTP/1.1 request without Host with a bare 400 of its own, with no
      // body and no event to hook; Koa answers it like any other request instead (offerd
      // reads no Host: links come from http.publicUrl).
      requireHostHeader: false,
    },
    (req, res) => {
      // Shutting down (closeHttpServer): the client must not reuse this connection.
      if (!server.listening || (server as DrainableServer)[DRAINING]) res.setHeader('Connection', 'close');
      latest.set(req.socket, { req, res });
      handler(req, res);
    },
  );
  server.keepAliveTimeout = timeouts.keepAliveMs;
  server.maxConnections = maxConnections;
  const once = new LogOncePer(60_000);
  const nextSupportId = supportIdGenerator();
  /** An error answered before routing, in the envelope of the API that claims `target`'s path. */
  const errorBody = (target: RequestTarget | null, answer: TransportAnswer): string => {
    const family = target ? familyOf(target.path) : 'neutral';
    const rendered =
      family === 'neutral'
        ? { error: { code: answer.code, message: answer.message } }
        : renderError(family, new AppError(answer.code, answer.message, [], answer.status), nextSupportId(), {
            verbose: target?.verbose === true,
          });
    // A string is a body already (the track envelope's `0`), as Koa sends it.
    return typeof rendered === 'string' ? rendered : JSON.stringify(rendered);
  };
  // Node's own answer to an Expect it cannot meet is a bare 417.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const body = errorBody(requestTarget(req.url), EXPECTATION_FAILED);
    res.writeHead(417, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' });
    res.end(body);
  });
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    const body = errorBody(null, CONNECT_REFUSED);
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const code = typeof err.code === 'string' ? err.code : 'UNKNOWN';
    if (once.allow(code))
      logger.debug({ code }, 'client error answered (at most one line per cause per minute)');
    if (
      code === 'ECONNRESET' ||
      !socket.writable ||
      responseStarted(socket) ||
      answeredBeforeItsBody(latest.get(socket))
    ) {
      socket.destroy();
      return;
    }
    const answer = answerFor(code);
    // A response to HEAD has no body: a client would read ours as garbage after it. The
    // raw request is read for its method and path only, never logged.
    const raw = (err as { rawPacket?: unknown }).rawPacket;
    const body = errorBody(refusedTarget(raw), answer);
    const head = Buffer.isBuffer(raw) && raw.subarray(0, 5).toString('latin1') === 'HEAD ';
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`,
    );
  });
  return server;
}

/**
 * Stops accepting and resolves once every connection is closed: the idle ones at once,
 * a busy one as soon as its response is sent. Node closes the idle connections only once,
 * at close(): a connection busy then stayed open for the whole keep-alive timeout after
 * its response (65 s), and so did the shutdown. Responses from now on say Connection:
 * close; the sweep closes the connections whose responses began before. With `drainMs`,
 * it first drains the server for up to that long (SHUTDOWN_DRAIN_MS).
 */
export async function closeHttpServer(server: Server, drainMs = 0): Promise<void> {
  if (drainMs > 0) await drain(server, drainMs);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  return closed.finally(() => clearInterval(sweep));
}

/**
 * Up to `ms` of answering every request with `Connection: close` while still accepting:
 * each client's next response tells it to leave its kept-alive connection, so none is
 * left idle for close() to drop under a request. Ends early once no connection is open.
 */
async function drain(server: Server, ms: number): Promise<void> {
  (server as DrainableServer)[DRAINING] = true;
  const open = () =>
    new Promise<number>((resolve) => server.getConnections((err, n) => resolve(err ? 0 : n)));
  const until = Date.now() + ms;
  while (Date.now() < until && (await open()) > 0) await new Promise((r) => setTimeout(r, 25));
}
