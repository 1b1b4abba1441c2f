/**
 * HMAC-SHA256 (RFC 2104 over FIPS 180-4) for many short messages under one key, in
 * plain JavaScript. node:crypto's createHmac costs ~2.5 µs a call in the server (an
 * object, three calls into C++, garbage) and an offerwall response signs 20 links;
 * with the key's inner and outer pad blocks hashed once, a link is two compressions.
 * Only for signing: verification stays with node:crypto and timingSafeEqual.
 * test/domain/offerwall/hmac-sha256.test.ts compares it with node:crypto on thousands of
 * keys and messages (empty, multi-block, non-ASCII, keys longer than a block).
 */
import { createHash } from 'node:crypto';

const K = Int32Array.from(
  [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ],
  (k) => k | 0,
);
const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const BLOCK = 64;

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

/** One SHA-256 compression of `block[offset..offset+64)` into `state`. */
function compress(state: Int32Array, w: Int32Array, block: Uint8Array, offset: number): void {
  for (let t = 0; t < 16; t++) {
    const j = offset + t * 4;
    w[t] =
      ((block[j] as number) << 24) |
      ((block[j + 1] as number) << 16) |
      ((block[j + 2] as number) << 8) |
      (block[j + 3] as number);
  }
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15] as number;
    const y = w[t - 2] as number;
    const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
    const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
    w[t] = ((w[t - 16] as number) + s0 + (w[t - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let t = 0; t < 64; t++) {
    const t1 =
      (h +
        (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
        ((e & f) ^ (~e & g)) +
        (K[t] as number) +
        (w[t] as number)) |
      0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
}

/** Writes the 64-bit big-endian bit length `bits` at the end of the block ending at `end`. */
function writeLength(buf: Uint8Array, end: number, bytes: number): void {
  const bits = bytes * 8;
  const high = Math.floor(bits / 2 ** 32);
  for (let i = 0; i < 4; i++) {
    buf[end - 1 - i] = (bits >>> (8 * i)) & 0xff;
    buf[end - 5 - i] = (high >>> (8 * i)) & 0xff;
  }
}

/**
 * HMAC-SHA256 under one key, with the key's inner and outer pad blocks hashed once.
 * `hexInto` signs bytes and writes the digest's 64 lowercase hex digits into a buffer
 * (the offerwall writes them straight into its response body); not reentrant, but it
 * never awaits, so one instance serves every request of a process.
 */
export class HmacSha256 {
  private readonly inner: Int32Array;
  private readonly outer: Int32Array;
  private readonly w = new Int32Array(64);
  private readonly state = new Int32Array(8);
  private readonly last = new Uint8Array(BLOCK);
  private buf = new Uint8Array(4 * BLOCK);

  constructor(secret: string | Uint8Array) {
    let key: Uint8Array = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
    if (key.length > BLOCK) key = createHash('sha256').update(key).digest();
    const padded = (pad: number) => {
      const block = new Uint8Array(BLOCK).fill(pad);
      key.forEach((byte, i) => {
        block[i] = byte ^ pad;
      });
      const state = IV.slice();
      compress(state, new Int32Array(64), block, 0);
      return state;
    };
    this.inner = padded(0x36);
    this.outer = padded(0x5c);
    // The outer message is always the 32-byte inner digest: its padding never changes.
    this.last[32] = 0x80;
    writeLength(this.last, BLOCK, BLOCK + 32);
  }

  /** Writes the hex HMAC of `message[0..length)` at `out[at..at+64)`. */
  hexInto(message: Uint8Array, length: number, out: Uint8Array, at: number): void {
    const { state, w, last, inner, outer } = this;
    // Inner hash: the message after the ipad block, then 0x80, zeros and the length.
    // Plain loops below, not fill/set: for a few dozen bytes their call costs more.
    const end = length + 9 <= BLOCK ? BLOCK : Math.ceil((length + 9) / BLOCK) * BLOCK;
    if (this.buf.length < end) this.buf = new Uint8Array(end);
    const buf = this.buf;
    for (let i = 0; i < length; i++) buf[i] = message[i] as number;
    buf[length] = 0x80;
    for (let i = length + 1; i < end - 8; i++) buf[i] = 0;
    writeLength(buf, end, BLOCK + length);
    for (let i = 0; i < 8; i++) state[i] = inner[i] as number;
    for (let b = 0; b < end; b += BLOCK) compress(state, w, buf, b);
    // Outer hash: the inner digest after the opad block; `last` keeps its padding (set once).
    for (let i = 0; i < 8; i++) {
      const v = state[i] as number;
      last[i * 4] = v >>> 24;
      last[i * 4 + 1] = (v >>> 16) & 0xff;
      last[i * 4 + 2] = (v >>> 8) & 0xff;
      last[i * 4 + 3] = v & 0xff;
    }
    for (let i = 0; i < 8; i++) state[i] = outer[i] as number;
    compress(state, w, last, 0);
    for (let i = 0; i < 8; i++) {
      const v = state[i] as number;
      for (let n = 0; n < 8; n++) out[at + i * 8 + n] = HEX_DIGITS[(v >>> (28 - 4 * n)) & 0xf] as number;
    }
  }
}

/** A signer for one key: `sign(message)` is the hex HMAC-SHA256 of the message's UTF-8 bytes. */
export function hmacSha256Hex(secret: string | Uint8Array): (message: string) => string {
  const hmac = new HmacSha256(secret);
  // The digest's hex digits are written here and read out as one string (no per-byte strings).
  const hex = Buffer.alloc(64);
  return (message) => {
    const bytes = Buffer.from(message, 'utf8');
    hmac.hexInto(bytes, bytes.length, hex, 0);
    return hex.toString('latin1');
  };
}
