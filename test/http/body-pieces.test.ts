import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { MIN_AVERAGE_PIECE_BYTES, PIECES_BEFORE_CHECK } from '../../src/http/read-body.js';
import { rawRequest } from '../helpers/raw-http.js';
import { startTestService } from '../helpers/start-test-service.js';

/** A chunked POST of `body` cut into chunks of `size` bytes, the whole request as bytes. */
function chunked(path: string, headers: Record<string, string>, body: Buffer, size: number): Buffer {
  const head = [`POST ${path} HTTP/1.1`, 'Host: x', 'Connection: close', 'Transfer-Encoding: chunked'];
  for (const [k, v] of Object.entries(headers)) head.push(`${k}: ${v}`);
  const parts: Buffer[] = [Buffer.from(`${head.join('\r\n')}\r\n\r\n`)];
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

const BANNER = { Authorization: 'demo-key', 'Content-Type': 'application/json' };
const request = (padding: number, pad = ' '.repeat(padding)) =>
  Buffer.from(JSON.stringify({ userId: 'pieces-1', offerId: '8622', pad }));
/** Text gzip cannot shrink much: its compressed form is thousands of bytes. */
const noise = (length: number) => randomBytes(length).toString('base64').slice(0, length);

test('a body cut into tiny chunks is refused once it has come in over a thousand of them, compressed or not; the same body in larger chunks is read', async (t) => {
  const s = await startTestService(t);
  const body = request(20_000);
  const tiny = await rawRequest(s.port, chunked('/getPersonalizedBanner', BANNER, body, 4));
  t.is(tiny.status, 400);
  t.regex(tiny.body, /body.*came in pieces too small/);
  const gzipped = gzipSync(request(0, noise(6_000)));
  const tinyGzip = await rawRequest(
    s.port,
    chunked('/getPersonalizedBanner', { ...BANNER, 'Content-Encoding': 'gzip' }, gzipped, 1),
  );
  t.is(tinyGzip.status, 400, 'a gzip body in 1-byte chunks');
  t.regex(tinyGzip.body, /came in pieces too small/);
  // Pieces at the average allowed, and a body in fewer pieces than the check starts at.
  const fair = await rawRequest(
    s.port,
    chunked('/getPersonalizedBanner', BANNER, body, MIN_AVERAGE_PIECE_BYTES),
  );
  t.is(fair.status, 200, fair.body);
  const few = await rawRequest(
    s.port,
    chunked('/getPersonalizedBanner', BANNER, request(PIECES_BEFORE_CHECK - 100), 1),
  );
  t.is(few.status, 200, 'a small body in 1-byte chunks');
  const gzipFair = await rawRequest(
    s.port,
    chunked('/getPersonalizedBanner', { ...BANNER, 'Content-Encoding': 'gzip' }, gzipped, 64),
  );
  t.is(gzipFair.status, 200, 'a gzip body in fewer than a thousand chunks');
});

test('the bytes on the wire are bounded, not only what they decode to: 2 MB of empty deflate blocks is a 413', async (t) => {
  const s = await startTestService(t);
  // A gzip member of empty stored blocks (5 bytes each) and an empty final block: it decodes
  // to nothing at all, so only the wire's size can refuse it.
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  const empty = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);
  const blocks = Buffer.concat(Array.from({ length: 400_000 }, () => empty));
  const tail = Buffer.from([0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
  const bomb = Buffer.concat([header, blocks, tail]);
  const small = Buffer.concat([header, blocks.subarray(0, 5_000), tail]);
  const post = (body: Buffer) =>
    s.fetch('/v1/user-journeys/users', {
      method: 'POST',
      headers: {
        'X-API-Key': 'pk_test_demo',
        'Content-Type': 'application/json',
        'Content-Encoding': 'gzip',
      },
      body,
    });
  const refused = await post(bomb);
  t.is(refused.status, 413);
  t.like(await refused.json(), { code: 413, errors: [{ field: 'body', message: 'is too large' }] });
  const read = await post(small);
  t.is(read.status, 400, 'a few empty blocks decode to an empty body, read and refused as an empty body');
});

test('a Content-Type with a malformed parameter still has its charset read: UTF-16 is refused', async (t) => {
  const s = await startTestService(t);
  for (const contentType of [
    'application/json; charset=utf-16; x',
    'application/json; foo; charset=iso-8859-1',
    'application/json; charset=utf-16;',
  ]) {
    const res = await s.fetch('/v1/user-journeys/users', {
      method: 'POST',
      headers: { 'X-API-Key': 'pk_test_demo', 'Content-Type': contentType },
      body: JSON.stringify({ externalId: 'ct-1' }),
    });
    t.is(res.status, 415, contentType);
  }
  const res = await s.fetch('/v1/user-journeys/users', {
    method: 'POST',
    headers: { 'X-API-Key': 'pk_test_demo', 'Content-Type': 'application/json; x; charset="utf-8"' },
    body: JSON.stringify({ externalId: 'ct-2' }),
  });
  t.is(res.status, 200, 'UTF-8 behind a malformed parameter is read');
});
