import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ErrorCode } from './error-catalogue.js';

/** How long a client has to send a request's headers, and the whole request. */
export interface HttpTimeouts {
  headersMs: number;
  requestMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = Object.freeze({ headersMs: 20_000, requestMs: 30_000 });

/** Node's parser and timeout error codes, as the status and message the client gets. */
function answerFor(code: string): { status: number; reason: string; code: ErrorCode; message: string } {
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

/**
 * The HTTP server for `handler`, with its timeouts, that answers what Node's HTTP parser
 * refuses (malformed requests, oversized headers, a request not received within
 * `requestMs`) with a JSON error, as every other response is, and logs only the error's
 * code: the error Node hands over carries the raw request (`rawPacket`), API keys and
 * the admin token included, which must never reach a log.
 */
export function createHttpServer(
  handler: RequestListener,
  logger: Logger,
  timeouts = DEFAULT_HTTP_TIMEOUTS,
): Server {
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
    handler,
  );
  const once = new LogOncePer(60_000);
  // Node's own answer to an Expect it cannot meet is a bare 417.
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.stringify({
      error: {
        code: 'EXPECTATION_FAILED' satisfies ErrorCode,
        message: 'only Expect: 100-continue is supported',
      },
    });
    res.writeHead(417, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' });
    res.end(body);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const code = typeof err.code === 'string' ? err.code : 'UNKNOWN';
    if (once.allow(code))
      logger.debug({ code }, 'client error answered (at most one line per cause per minute)');
    if (code === 'ECONNRESET' || !socket.writable || responseStarted(socket)) {
      socket.destroy();
      return;
    }
    const answer = answerFor(code);
    const body = JSON.stringify({ error: { code: answer.code, message: answer.message } });
    // A response to HEAD has no body: a client would read ours as garbage after it. The
    // raw request is read for its method only, never logged.
    const raw = (err as { rawPacket?: unknown }).rawPacket;
    const head = Buffer.isBuffer(raw) && raw.subarray(0, 5).toString('latin1') === 'HEAD ';
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`,
    );
  });
  return server;
}
