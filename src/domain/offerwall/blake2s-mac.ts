/**
 * BLAKE2s-256 in keyed mode (RFC 7693 §2.5: the MAC BLAKE2 defines for itself), in plain
 * JavaScript: what signs the offerwall's click links. BLAKE2s is built from the 32-bit
 * additions, xors and rotations JavaScript engines compile well, and in keyed mode the key
 * is one block hashed ahead of the message: with that block compressed once per key, a
 * link of under 64 bytes is one compression. HMAC-SHA256 took two SHA-256 compressions
 * per link, each ~1.5x as costly, and was ~19 % of an offerwall request's CPU
 * (npm run bench). Keys longer than BLAKE2s's 32 bytes are first hashed to 32 (unkeyed
 * BLAKE2s-256).
 * test/domain/offerwall/blake2s-mac.test.ts checks it against the BLAKE2 reference test
 * vectors and Python's hashlib.blake2s, and its unkeyed form against node:crypto.
 */
const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
/** The message word each G of each round reads (RFC 7693 §2.7), flattened: 10 rounds × 16. */
const SIGMA = Uint8Array.from([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
  11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4, 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
  9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13, 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
  12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11, 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
  6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5, 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
]);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const BLOCK = 64;
const OUT = 32;

/**
 * One BLAKE2s compression of `block[offset..offset+64)` into `h`. `bytes` is the count of
 * message bytes hashed so far, this block's included; `last` marks the final block.
 * The 16 working words live in locals, not an array: the rounds then compile to
 * register arithmetic.
 */
function compress(
  h: Int32Array,
  m: Int32Array,
  block: Uint8Array,
  offset: number,
  bytes: number,
  last: boolean,
) {
  for (let i = 0; i < 16; i++) {
    const j = offset + i * 4;
    m[i] =
      (block[j] as number) |
      ((block[j + 1] as number) << 8) |
      ((block[j + 2] as number) << 16) |
      ((block[j + 3] as number) << 24);
  }
  let v0 = h[0] as number;
  let v1 = h[1] as number;
  let v2 = h[2] as number;
  let v3 = h[3] as number;
  let v4 = h[4] as number;
  let v5 = h[5] as number;
  let v6 = h[6] as number;
  let v7 = h[7] as number;
  let v8 = IV[0] as number;
  let v9 = IV[1] as number;
  let v10 = IV[2] as number;
  let v11 = IV[3] as number;
  let v12 = (IV[4] as number) ^ bytes;
  let v13 = (IV[5] as number) ^ Math.floor(bytes / 2 ** 32);
  let v14 = last ? ~(IV[6] as number) : (IV[6] as number);
  let v15 = IV[7] as number;
  for (let r = 0; r < 160; r += 16) {
    // G(v0, v4, v8, v12), G(v1, v5, v9, v13), G(v2, v6, v10, v14), G(v3, v7, v11, v15): columns.
    v0 = (v0 + v4 + (m[SIGMA[r] as number] as number)) | 0;
    v12 ^= v0;
    v12 = (v12 >>> 16) | (v12 << 16);
    v8 = (v8 + v12) | 0;
    v4 ^= v8;
    v4 = (v4 >>> 12) | (v4 << 20);
    v0 = (v0 + v4 + (m[SIGMA[r + 1] as number] as number)) | 0;
    v12 ^= v0;
    v12 = (v12 >>> 8) | (v12 << 24);
    v8 = (v8 + v12) | 0;
    v4 ^= v8;
    v4 = (v4 >>> 7) | (v4 << 25);

    v1 = (v1 + v5 + (m[SIGMA[r + 2] as number] as number)) | 0;
    v13 ^= v1;
    v13 = (v13 >>> 16) | (v13 << 16);
    v9 = (v9 + v13) | 0;
    v5 ^= v9;
    v5 = (v5 >>> 12) | (v5 << 20);
    v1 = (v1 + v5 + (m[SIGMA[r + 3] as number] as number)) | 0;
    v13 ^= v1;
    v13 = (v13 >>> 8) | (v13 << 24);
    v9 = (v9 + v13) | 0;
    v5 ^= v9;
    v5 = (v5 >>> 7) | (v5 << 25);

    v2 = (v2 + v6 + (m[SIGMA[r + 4] as number] as number)) | 0;
    v14 ^= v2;
    v14 = (v14 >>> 16) | (v14 << 16);
    v10 = (v10 + v14) | 0;
    v6 ^= v10;
    v6 = (v6 >>> 12) | (v6 << 20);
    v2 = (v2 + v6 + (m[SIGMA[r + 5] as number] as number)) | 0;
    v14 ^= v2;
    v14 = (v14 >>> 8) | (v14 << 24);
    v10 = (v10 + v14) | 0;
    v6 ^= v10;
    v6 = (v6 >>> 7) | (v6 << 25);

    v3 = (v3 + v7 + (m[SIGMA[r + 6] as number] as number)) | 0;
    v15 ^= v3;
    v15 = (v15 >>> 16) | (v15 << 16);
    v11 = (v11 + v15) | 0;
    v7 ^= v11;
    v7 = (v7 >>> 12) | (v7 << 20);
    v3 = (v3 + v7 + (m[SIGMA[r + 7] as number] as number)) | 0;
    v15 ^= v3;
    v15 = (v15 >>> 8) | (v15 << 24);
    v11 = (v11 + v15) | 0;
    v7 ^= v11;
    v7 = (v7 >>> 7) | (v7 << 25);

    // G(v0, v5, v10, v15), G(v1, v6, v11, v12), G(v2, v7, v8, v13), G(v3, v4, v9, v14): diagonals.
    v0 = (v0 + v5 + (m[SIGMA[r + 8] as number] as number)) | 0;
    v15 ^= v0;
    v15 = (v15 >>> 16) | (v15 << 16);
    v10 = (v10 + v15) | 0;
    v5 ^= v10;
    v5 = (v5 >>> 12) | (v5 << 20);
    v0 = (v0 + v5 + (m[SIGMA[r + 9] as number] as number)) | 0;
    v15 ^= v0;
    v15 = (v15 >>> 8) | (v15 << 24);
    v10 = (v10 + v15) | 0;
    v5 ^= v10;
    v5 = (v5 >>> 7) | (v5 << 25);

    v1 = (v1 + v6 + (m[SIGMA[r + 10] as number] as number)) | 0;
    v12 ^= v1;
    v12 = (v12 >>> 16) | (v12 << 16);
    v11 = (v11 + v12) | 0;
    v6 ^= v11;
    v6 = (v6 >>> 12) | (v6 << 20);
    v1 = (v1 + v6 + (m[SIGMA[r + 11] as number] as number)) | 0;
    v12 ^= v1;
    v12 = (v12 >>> 8) | (v12 << 24);
    v11 = (v11 + v12) | 0;
    v6 ^= v11;
    v6 = (v6 >>> 7) | (v6 << 25);

    v2 = (v2 + v7 + (m[SIGMA[r + 12] as number] as number)) | 0;
    v13 ^= v2;
    v13 = (v13 >>> 16) | (v13 << 16);
    v8 = (v8 + v13) | 0;
    v7 ^= v8;
    v7 = (v7 >>> 12) | (v7 << 20);
    v2 = (v2 + v7 + (m[SIGMA[r + 13] as number] as number)) | 0;
    v13 ^= v2;
    v13 = (v13 >>> 8) | (v13 << 24);
    v8 = (v8 + v13) | 0;
    v7 ^= v8;
    v7 = (v7 >>> 7) | (v7 << 25);

    v3 = (v3 + v4 + (m[SIGMA[r + 14] as number] as number)) | 0;
    v14 ^= v3;
    v14 = (v14 >>> 16) | (v14 << 16);
    v9 = (v9 + v14) | 0;
    v4 ^= v9;
    v4 = (v4 >>> 12) | (v4 << 20);
    v3 = (v3 + v4 + (m[SIGMA[r + 15] as number] as number)) | 0;
    v14 ^= v3;
    v14 = (v14 >>> 8) | (v14 << 24);
    v9 = (v9 + v14) | 0;
    v4 ^= v9;
    v4 = (v4 >>> 7) | (v4 << 25);
  }
  h[0] = (h[0] as number) ^ v0 ^ v8;
  h[1] = (h[1] as number) ^ v1 ^ v9;
  h[2] = (h[2] as number) ^ v2 ^ v10;
  h[3] = (h[3] as number) ^ v3 ^ v11;
  h[4] = (h[4] as number) ^ v4 ^ v12;
  h[5] = (h[5] as number) ^ v5 ^ v13;
  h[6] = (h[6] as number) ^ v6 ^ v14;
  h[7] = (h[7] as number) ^ v7 ^ v15;
}

/** BLAKE2s-256's initial state for a key of `keyBytes` bytes (0: unkeyed): the IV with the parameter block mixed in. */
function initial(keyBytes: number): Int32Array {
  const h = IV.slice();
  h[0] = (h[0] as number) ^ 0x01010000 ^ (keyBytes << 8) ^ OUT;
  return h;
}

/**
 * Hashes `message[0..length)` into `h` (already holding the state after `before` bytes):
 * whole blocks, then the last one zero-padded and marked final. `buf` must hold the
 * message rounded up to whole blocks.
 */
function absorb(
  h: Int32Array,
  m: Int32Array,
  buf: Uint8Array,
  message: Uint8Array,
  length: number,
  before: number,
) {
  const end = Math.max(BLOCK, Math.ceil(length / BLOCK) * BLOCK);
  for (let i = 0; i < length; i++) buf[i] = message[i] as number;
  for (let i = length; i < end; i++) buf[i] = 0;
  for (let b = 0; b < end; b += BLOCK) {
    const last = b + BLOCK >= end;
    compress(h, m, buf, b, before + (last ? length : b + BLOCK), last);
  }
}

/** Unkeyed BLAKE2s-256 of `data` (what keys longer than 32 bytes are reduced with). */
export function blake2s256(data: Uint8Array): Uint8Array {
  const h = initial(0);
  absorb(
    h,
    new Int32Array(16),
    new Uint8Array(Math.max(BLOCK, Math.ceil(data.length / BLOCK) * BLOCK)),
    data,
    data.length,
    0,
  );
  const out = new Uint8Array(OUT);
  for (let i = 0; i < OUT; i++) out[i] = ((h[i >> 2] as number) >>> (8 * (i & 3))) & 0xff;
  return out;
}

/**
 * The keyed BLAKE2s-256 of one key, its key block compressed once. Not reentrant, but it
 * never awaits, so one instance serves every request of a process.
 */
export class Blake2sMac {
  /** The state after the key block, for a message that follows it. */
  private readonly keyed: Int32Array;
  /** The state of the empty message: the key block is then itself the final block. */
  private readonly empty: Int32Array;
  /** Bytes hashed before the message: the key block, or none without a key. */
  private readonly before: number;
  private readonly m = new Int32Array(16);
  private readonly h = new Int32Array(8);
  private buf = new Uint8Array(2 * BLOCK);

  constructor(secret: string | Uint8Array) {
    let key: Uint8Array = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
    if (key.length > OUT) key = blake2s256(key);
    const block = new Uint8Array(BLOCK);
    block.set(key);
    this.keyed = initial(key.length);
    this.empty = initial(key.length);
    this.before = key.length === 0 ? 0 : BLOCK;
    if (key.length === 0) {
      // No key: plain BLAKE2s, whose empty message is one zero block.
      compress(this.empty, this.m, block, 0, 0, true);
    } else {
      compress(this.keyed, this.m, block, 0, BLOCK, false);
      compress(this.empty, this.m, block, 0, BLOCK, true);
    }
  }

  /** Writes the hex MAC of `message[0..length)` at `out[at..at+64)`. */
  hexInto(message: Uint8Array, length: number, out: Uint8Array, at: number): void {
    const { h } = this;
    if (length === 0) h.set(this.empty);
    else {
      const end = Math.ceil(length / BLOCK) * BLOCK;
      if (this.buf.length < end) this.buf = new Uint8Array(end);
      for (let i = 0; i < 8; i++) h[i] = this.keyed[i] as number;
      absorb(h, this.m, this.buf, message, length, this.before);
    }
    for (let i = 0; i < 8; i++) {
      const v = h[i] as number;
      for (let n = 0; n < 4; n++) {
        const byte = (v >>> (8 * n)) & 0xff;
        out[at + i * 8 + n * 2] = HEX_DIGITS[byte >>> 4] as number;
        out[at + i * 8 + n * 2 + 1] = HEX_DIGITS[byte & 0xf] as number;
      }
    }
  }
}

/** A MAC for one key: `mac(message)` is the hex keyed BLAKE2s-256 of the message's UTF-8 bytes. */
export function blake2sMacHex(secret: string | Uint8Array): (message: string) => string {
  const mac = new Blake2sMac(secret);
  const hex = Buffer.alloc(64);
  return (message) => {
    const bytes = Buffer.from(message, 'utf8');
    mac.hexInto(bytes, bytes.length, hex, 0);
    return hex.toString('latin1');
  };
}
