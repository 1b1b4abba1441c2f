import { createHmac, randomBytes } from 'node:crypto';
import test from 'ava';
import { hmacSha256Hex } from '../../../src/domain/offerwall/hmac-sha256.js';
import { ClickSigner, signClick } from '../../../src/domain/offerwall/signatures.js';

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

test("ClickSigner writes signClick's hex for any user, sid3 and offer id", (t) => {
  const secret = 'sécret';
  const signer = new ClickSigner(secret);
  const out = Buffer.alloc(70, 0x2a);
  const uids = ['u1', 'a b', 'ü/ß?&=#%', 'emoji 😀', 'x'.repeat(300)];
  let checked = 0;
  for (const uid of uids) {
    for (const sid3 of [null, '', 'bench', 'ü\n2', 's'.repeat(200)]) {
      signer.user(1001, uid, sid3);
      for (const offerId of [0, 7, 30001, -3, 1.5, 1e21, Number.MAX_SAFE_INTEGER]) {
        signer.signInto(offerId, out, 3);
        t.is(out.toString('latin1', 3, 67), signClick(secret, { wallId: 1001, uid, offerId, sid3 }));
        checked++;
      }
    }
  }
  // Nothing written outside the 64 hex digits.
  t.is(out.toString('latin1', 0, 3), '***');
  t.is(out.toString('latin1', 67), '***');
  t.is(checked, 175);
});
