import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import test from 'ava';
import { Blake2sMac, blake2s256, blake2sMacHex } from '../../../src/domain/offerwall/blake2s-mac.js';
import { ClickSigner, signClick, verifyClick } from '../../../src/domain/offerwall/signatures.js';

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);
/** The MAC of exactly these bytes (blake2sMacHex takes text and hashes its UTF-8). */
function macOf(key: Uint8Array, message: Uint8Array): string {
  const out = Buffer.alloc(64);
  new Blake2sMac(key).hexInto(message, message.length, out, 0);
  return out.toString('latin1');
}

test('keyed BLAKE2s-256 matches the BLAKE2 reference vectors (key 00..1f)', (t) => {
  // blake2s-kat.txt, keyed: the first entries (inputs 00, 00 01, 00 01 02 … of length n).
  const key = bytes(32);
  const kat = [
    '48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49',
    '40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1',
    '6bb71300644cd3991b26ccd4d274acd1adeab8b1d7914546c1198bbe9fc9d803',
    '1d220dbe2ee134661fdf6d9e74b41704710556f2f6e5a091b227697445dbea6b',
  ];
  for (const [n, expected] of kat.entries()) t.is(macOf(key, bytes(n)), expected, `input of ${n} bytes`);
});

test("keyed BLAKE2s-256 equals Python's hashlib.blake2s on 240 keys and messages", (t) => {
  // Keys from none to longer than 32 bytes (hashed to 32 first), messages across block edges.
  const { cases } = JSON.parse(readFileSync('test/fixtures/blake2s-mac-vectors.json', 'utf8')) as {
    cases: { key: string; message: string; mac: string }[];
  };
  t.is(cases.length, 240);
  for (const c of cases) {
    t.is(macOf(Buffer.from(c.key, 'hex'), Buffer.from(c.message, 'hex')), c.mac, `key ${c.key}`);
  }
});

test('unkeyed BLAKE2s-256 equals node:crypto, empty and multi-block inputs included', (t) => {
  for (let n = 0; n < 300; n += 7) {
    const data = bytes(n);
    t.is(Buffer.from(blake2s256(data)).toString('hex'), createHash('blake2s256').update(data).digest('hex'));
  }
  // RFC 7693 Appendix B; text is hashed as its UTF-8 bytes.
  t.is(blake2sMacHex('')('ü'), macOf(new Uint8Array(0), Buffer.from('ü', 'utf8')));
  t.is(blake2sMacHex('')('abc'), '508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982');
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

test('click links signed with HMAC-SHA256 before the switch still verify; nothing else does', (t) => {
  const link = { wallId: 1001, uid: 'u1', offerId: 5, sid3: 's' };
  const legacy = createHmac('sha256', 'secret-1').update('1001\nu1\n5\ns').digest('hex');
  t.not(legacy, signClick('secret-1', link));
  t.true(verifyClick('secret-1', link, legacy));
  t.false(verifyClick('secret-2', link, legacy));
  t.false(verifyClick('secret-1', { ...link, offerId: 6 }, legacy));
  // A keyed BLAKE2s of the same text under another key is not a signature.
  t.false(verifyClick('secret-1', link, blake2sMacHex('secret-2')('1001\nu1\n5\ns')));
});
