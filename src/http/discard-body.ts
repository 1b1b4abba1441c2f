import type { IncomingMessage } from 'node:http';
import { tooFinelyCut } from './read-body.js';

/**
 * The most of a refused body offerd reads and drops (64 × the 1 MB body limit); past it the
 * connection is closed. Time is bounded too: a body that trickles meets the request timeout
 * (http-server.ts), which closes the connection without a second answer.
 */
export const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Reads and drops what is left of a body refused before or while it was read (413, 415, a
 * body that does not decode), so that a client still sending it reads the refusal, and the
 * connection carries its next request. Closing instead, with bytes of the body unread, makes
 * the kernel reset the connection: a client still writing (fetch, Node's http) lost the
 * refusal to an EPIPE, about one request in three for a 10 MB body. nginx's lingering close
 * does the same, bounded the same way; so is a body cut too finely.
 */
export function discardRest(req: IncomingMessage, limit = DISCARD_LIMIT_BYTES): void {
  // A decoder the body was piped into (Content-Encoding) reads no more of it.
  req.unpipe();
  let bytes = 0;
  let pieces = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    pieces++;
    // Dropping a body cut in tiny pieces costs what reading it does (read-body.ts).
    if (bytes > limit || tooFinelyCut(pieces, bytes)) req.socket.destroy();
  });
  req.resume();
}
