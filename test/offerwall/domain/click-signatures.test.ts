import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import test from 'ava';
import {
  ClickSigner,
  clickGroupIds,
  type LegacyClickLink,
  signClick,
  verifyClick,
} from '../../../src/offerwall/domain/signatures.js';

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

test('a click signature is HMAC-SHA256 of v2, wall, uid, sid3, exp and the group ids, as node:crypto computes it', (t) => {
  const group = {
    wallId: 1001,
    uid: 'player 7',
    sid3: 'sess-42',
    exp: 1_798_761_600,
    offerIds: [10042, 7, 10161],
  };
  const expected = createHmac('sha256', 'a-click-secret-0123456789')
    .update('v2\n1001\nplayer 7\nsess-42\n1798761600\n10042,7,10161')
    .digest('hex');
  t.is(signClick('a-click-secret-0123456789', group), expected);
  t.is(new ClickSigner('a-click-secret-0123456789').sign(group), expected);
  const noSid3 = createHmac('sha256', 's').update('v2\n1\nu\n\n3\n2').digest('hex');
  t.is(signClick('s', { wallId: 1, uid: 'u', sid3: null, exp: 3, offerIds: [2] }), noSid3);
});

test('a group signature is good for each offer of its list, and for no other offer or list', (t) => {
  const group = { wallId: 1001, uid: 'u', sid3: 's', exp: 1_798_761_600, offerIds: [5, 9, 12] };
  const sig = signClick('secret-1', group);
  const verify = (offerId: number, offerIds: readonly number[] | null = group.offerIds, s = sig) =>
    verifyClick('secret-1', { ...group, offerId, offerIds }, s, BEFORE, CUTOFF);
  for (const id of group.offerIds) t.is(verify(id), 'valid', `offer ${id}`);
  t.is(verify(6), 'invalid', 'an offer not in the list');
  t.is(verify(5, [5, 9]), 'invalid', 'an id dropped from the list');
  t.is(verify(6, [5, 9, 12, 6]), 'invalid', 'an id added to the list');
  t.is(verify(5, [9, 5, 12]), 'invalid', 'the list reordered');
  t.is(verify(5, null), 'invalid', 'no list, yet an exp: no link of ours');
  t.is(verify(5, group.offerIds, sig.toUpperCase()), 'valid', 'hex in either case');
  t.is(verify(5, group.offerIds, sig.slice(0, 63)), 'invalid');
  t.is(verifyClick('secret-1', { ...group, offerId: 5, exp: null }, sig, BEFORE, CUTOFF), 'invalid');
});

test('clickGroupIds keeps the ids a click can name, so one unclickable id leaves its group readable', (t) => {
  t.deepEqual(clickGroupIds([3, 1, 2]), [3, 1, 2]);
  t.deepEqual(clickGroupIds([3, 2 ** 53, 1e21, 4]), [3, 4]);
});

test('a link is valid until its exp, expired from that second on; a changed exp is invalid', (t) => {
  const group = { wallId: 1001, uid: 'u', sid3: null, exp: 1_798_761_600, offerIds: [5] };
  const link = { ...group, offerId: 5 };
  const sig = signClick('secret-1', group);
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
  t.is(
    verifyClick('secret-1', { ...link, offerId: 6 }, sig, new Date('2030-01-01T00:00:00Z'), CUTOFF),
    'invalid',
    'an offer outside the list is invalid, even past exp',
  );
});

test('legacy links (keyed BLAKE2s-256 and HMAC-SHA256, no exp) verify until the cutoff, then expire', (t) => {
  t.true(vectors.length >= 6);
  for (const v of vectors) {
    const link = { ...v.link, exp: null, offerIds: null };
    for (const sig of [v.blake2s, v.hmacSha256]) {
      t.is(verifyClick(v.secret, link, sig, BEFORE, CUTOFF), 'valid', `${v.secret} ${sig}`);
      t.is(verifyClick(v.secret, link, sig, CUTOFF, CUTOFF), 'expired');
      t.is(verifyClick(v.secret, link, sig, BEFORE, null), 'expired', 'no cutoff: never accepted');
      t.is(verifyClick(`${v.secret}x`, link, sig, BEFORE, CUTOFF), 'invalid');
      t.is(verifyClick(v.secret, { ...link, offerId: link.offerId + 1 }, sig, BEFORE, CUTOFF), 'invalid');
      t.is(verifyClick(v.secret, { ...link, uid: `${link.uid}!` }, sig, BEFORE, CUTOFF), 'invalid');
      // A legacy signature is no signature of a link with exp, or with a list.
      const ids = [link.offerId];
      t.is(verifyClick(v.secret, { ...link, exp: 1_798_761_600 }, sig, BEFORE, CUTOFF), 'invalid');
      t.is(verifyClick(v.secret, { ...link, offerIds: ids }, sig, BEFORE, CUTOFF), 'invalid');
      t.is(
        verifyClick(v.secret, { ...link, exp: 1_798_761_600, offerIds: ids }, sig, BEFORE, CUTOFF),
        'invalid',
      );
    }
  }
});

test('a current signature does not pass for a legacy link (exp and offers dropped from the URL)', (t) => {
  const group = { wallId: 1001, uid: 'u', sid3: 's', exp: 1_798_761_600, offerIds: [5] };
  const sig = signClick('secret-1', group);
  const legacy = { ...group, offerId: 5, exp: null, offerIds: null };
  t.is(verifyClick('secret-1', legacy, sig, BEFORE, CUTOFF), 'invalid');
});
