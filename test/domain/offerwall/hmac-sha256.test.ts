import { createHmac, randomBytes } from 'node:crypto';
import test from 'ava';
import { hmacSha256Hex } from '../../../src/domain/offerwall/hmac-sha256.js';

const node = (key: string | Buffer, message: string) =>
  createHmac('sha256', key).update(message, 'utf8').digest('hex');

test('HMAC-SHA256 equals node:crypto for RFC 4231 and thousands of random keys and messages', (t) => {
  // RFC 4231 test case 2.
  t.is(
    hmacSha256Hex('Jefe')('what do ya want for nothing?'),
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  );
  const alphabet = 'abcXYZ019\n &=?-_ü€😀';
  let checked = 0;
  for (let k = 0; k < 40; k++) {
    // Keys from empty to longer than a block (hashed first), as strings and as bytes.
    const key = k % 2 === 0 ? randomBytes(k * 3) : `${'k'.repeat(k * 2)}é`;
    const sign = hmacSha256Hex(key);
    for (let length = 0; length < 140; length++) {
      const chars = Array.from({ length }, (_, i) => alphabet[(i * 7 + k * 13 + length) % alphabet.length]);
      const message = chars.join('');
      t.is(sign(message), node(key, message), `key ${k}, length ${length}`);
      checked++;
    }
  }
  t.is(checked, 5600);
});
