import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import test from 'ava';
import {
  ClickSigner,
  type LegacyClickLink,
  signClick,
  verifyClick,
} from '../../../src/domain/offerwall/signatures.js';

interface Vector {
  secret: string;
  link: LegacyClickLink;
  blake2s: string;
  hmacSha256: string;
}

// Links signed by the code before expiring links (generated with it before it was deleted).
const { vectors } = JSON.parse(readFileSync('test/fixtures/legacy-click-links.json', 'utf8')) as {
  vectors: Vector[];
};
const CUTOFF = new Date('2026-12-31T00:00:00Z');
const BEFORE = new Date('2026-12-30T23:59:59.999Z');

test('a click signature is HMAC-SHA256 of wall, uid, offer, sid3 and exp, as node:crypto computes it', (t) => {
  const link = { wallId: 1001, uid: 'player 7', offerId: 10042, sid3: 'sess-42', exp: 1_798_761_600 };
  const expected = createHmac('sha256', 'a-click-secret-0123456789')
    .update('1001\nplayer 7\n10042\nsess-42\n1798761600')
    .digest('hex');
  t.is(signClick('a-click-secret-0123456789', link), expected);
  t.is(new ClickSigner('a-click-secret-0123456789').sign(link), expected);
  const noSid3 = createHmac('sha256', 's').update('1\nu\n2\n\n3').digest('hex');
  t.is(signClick('s', { wallId: 1, uid: 'u', offerId: 2, sid3: null, exp: 3 }), noSid3);
});

test('a link is valid until its exp, expired from that second on; a changed exp is invalid', (t) => {
  const link = { wallId: 1001, uid: 'u', offerId: 5, sid3: null, exp: 1_798_761_600 };
  const sig = signClick('secret-1', link);
  const at = (iso: string) => verifyClick('secret-1', link, sig, new Date(iso), CUTOFF);
  t.is(at('2026-12-31T23:59:59.999Z'), 'valid');
  t.is(at('2027-01-01T00:00:00Z'), 'expired');
  t.is(at('2030-01-01T00:00:00Z'), 'expired');
  const later = { ...link, exp: link.exp + 86_400 };
  t.is(verifyClick('secret-1', later, sig, new Date('2027-01-01T12:00:00Z'), CUTOFF), 'invalid');
  t.is(
    verifyClick('secret-2', link, sig, BEFORE, CUTOFF),
    'invalid',
    'an expired check never hides a bad key',
  );
});

test('legacy links (keyed BLAKE2s-256 and HMAC-SHA256, no exp) verify until the cutoff, then expire', (t) => {
  t.true(vectors.length >= 6);
  for (const v of vectors) {
    const link = { ...v.link, exp: null };
    for (const sig of [v.blake2s, v.hmacSha256]) {
      t.is(verifyClick(v.secret, link, sig, BEFORE, CUTOFF), 'valid', `${v.secret} ${sig}`);
      t.is(verifyClick(v.secret, link, sig, CUTOFF, CUTOFF), 'expired');
      t.is(verifyClick(v.secret, link, sig, BEFORE, null), 'expired', 'no cutoff: never accepted');
      t.is(verifyClick(`${v.secret}x`, link, sig, BEFORE, CUTOFF), 'invalid');
      t.is(verifyClick(v.secret, { ...link, offerId: link.offerId + 1 }, sig, BEFORE, CUTOFF), 'invalid');
      t.is(verifyClick(v.secret, { ...link, uid: `${link.uid}!` }, sig, BEFORE, CUTOFF), 'invalid');
      // A legacy signature is no signature of a link with exp.
      t.is(verifyClick(v.secret, { ...link, exp: 1_798_761_600 }, sig, BEFORE, CUTOFF), 'invalid');
    }
  }
});

test('a current signature does not pass for a legacy link (the exp dropped from the URL)', (t) => {
  const link = { wallId: 1001, uid: 'u', offerId: 5, sid3: 's', exp: 1_798_761_600 };
  const sig = signClick('secret-1', link);
  t.is(verifyClick('secret-1', { ...link, exp: null }, sig, BEFORE, CUTOFF), 'invalid');
});
