import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { AppError, type FieldProblem, invalidInput } from './app-error.js';

/** A body limit as the config spells it (`^[0-9]+(b|kb|mb)$`), in bytes. */
export function limitBytes(limit: string): number {
  const m = /^([0-9]+)(b|kb|mb)$/.exec(limit);
  if (!m) throw new Error(`not a body limit: ${limit}`);
  return Number(m[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[m[2] as 'b' | 'kb' | 'mb'];
}

/**
 * How small the pieces of a body may be on average, once it came in more than
 * PIECES_BEFORE_CHECK of them. Node hands each chunk of a chunked body (and each TCP read)
 * to JavaScript on its own, ~2.5 µs each before any of our code runs: 1 MB sent as 1,000,000
 * one-byte chunks cost 2.3–2.8 s of CPU, before authentication, and 4 such clients held every
 * other request at p50 ~700 ms (hostile probe). Clients send bodies in one write or in pieces
 * of kilobytes; a body of 1 MB in pieces of 256 bytes costs ~10 ms.
 */
export const MIN_AVERAGE_PIECE_BYTES = 256;
export const PIECES_BEFORE_CHECK = 1024;

/** Whether `pieces` adding up to `bytes` are too many small ones (see MIN_AVERAGE_PIECE_BYTES). */
export const tooFinelyCut = (pieces: number, bytes: number): boolean =>
  pieces > PIECES_BEFORE_CHECK && bytes < pieces * MIN_AVERAGE_PIECE_BYTES;

/** A refusal's one problem, named `body`. */
export const bodyProblem = (message: string): FieldProblem[] => [{ field: 'body', message }];
const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', 'Invalid input', bodyProblem('is too large'));

/** The decoders of the Content-Encodings offerd reads, each run once on the whole body. */
const DECODERS = {
  gzip: promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
} as const;

type Coding = keyof typeof DECODERS | 'identity';
const isCoding = (c: string): c is Coding => c === 'identity' || Object.hasOwn(DECODERS, c);

/**
 * The body of `req` as text, at most `limit` bytes once decoded. The body's bytes are read
 * whole first, then decoded in one call: piped into a decoder, each piece of a compressed
 * body was its own zlib call, and a 60 KB gzip body in 10-byte chunks cost 230–600 ms of CPU
 * (hostile probe). The bytes on the wire are bounded too (the decoded limit, plus what a
 * compressor adds to incompressible bytes): 20 MB of empty deflate blocks were read whole
 * before. Content codings are case-insensitive (RFC 9110 8.4.1); one coding per body, as
 * the decoders before read it. The text is UTF-8, a byte-order mark dropped.
 * A refusal is an AppError; `req` is then not read further (the caller drops or closes it).
 */
export async function readBodyText(req: IncomingMessage, limit: number): Promise<string> {
  const coding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase() || 'identity';
  if (!isCoding(coding)) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Invalid input',
      bodyProblem(`has an unsupported Content-Encoding (${coding}): gzip, deflate, br or identity`),
    );
  }
  const wireLimit = coding === 'identity' ? limit : limit + Math.ceil(limit / 256) + 1024;
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > wireLimit) throw tooLarge();
  const raw = await readBytes(req, wireLimit);
  if (coding === 'identity') return utf8(raw);
  let decoded: Buffer;
  try {
    decoded = await DECODERS[coding](raw, { maxOutputLength: limit });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw invalidInput(bodyProblem('could not be decoded with its Content-Encoding'));
  }
  return utf8(decoded);
}

const utf8 = (bytes: Buffer): string => new TextDecoder('utf-8').decode(bytes);

/** The body's bytes, refused past `limit` or when cut too finely (tooFinelyCut). */
function readBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pieces: Buffer[] = [];
    let bytes = 0;
    const done = (err: AppError | null) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onClose);
      if (err) {
        req.pause();
        reject(err);
      } else resolve(Buffer.concat(pieces, bytes));
    };
    const onData = (piece: Buffer) => {
      bytes += piece.length;
      pieces.push(piece);
      if (bytes > limit) done(tooLarge());
      else if (tooFinelyCut(pieces.length, bytes))
        done(
          invalidInput(
            bodyProblem(
              `came in pieces too small (fewer than ${MIN_AVERAGE_PIECE_BYTES} bytes each on average): send it in one write`,
            ),
          ),
        );
    };
    const onEnd = () => done(null);
    const onClose = () => done(invalidInput(bodyProblem('was not received whole')));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onClose);
  });
}
