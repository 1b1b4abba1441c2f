import { createHmac, timingSafeEqual } from 'node:crypto';
import { hmacSha256Hex } from './hmac-sha256.js';

/** What a click link carries; the signature covers all of it. */
export interface ClickLink {
  wallId: number;
  uid: string;
  offerId: number;
  sid3: string | null;
}

/** What a postback reports; the signature covers all of it. */
export interface PostbackReport {
  wallId: number;
  uid: string;
  offerId: number;
  eventId: string;
  transactionId: string;
}

// Fields are joined by a newline, which no validated parameter may contain, so two
// different parameter sets can never share a signature.
function hmac(secret: string, fields: (string | number)[]): string {
  return createHmac('sha256', secret).update(fields.join('\n'), 'utf8').digest('hex');
}

function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(given, 'hex');
  return /^[0-9a-f]{64}$/i.test(given) && a.length === b.length && timingSafeEqual(a, b);
}

/** HMAC-SHA256 (hex) of `wall\nuid\noffer\nsid3` (empty sid3 when there is none). */
export function signClick(secret: string, c: ClickLink): string {
  return hmac(secret, [c.wallId, c.uid, c.offerId, c.sid3 ?? '']);
}

/** signClick for the many links of one response: the key's pad blocks are hashed once (see hmac-sha256.ts). */
export function clickSigner(secret: string): (c: ClickLink) => string {
  const sign = hmacSha256Hex(secret);
  return (c) => sign(`${c.wallId}\n${c.uid}\n${c.offerId}\n${c.sid3 ?? ''}`);
}

export function verifyClick(secret: string, c: ClickLink, sig: string): boolean {
  return sameHex(signClick(secret, c), sig);
}

/** HMAC-SHA256 (hex) of `wall\nuid\noffer\nevent\ntransaction_id`. */
export function signPostback(secret: string, p: PostbackReport): string {
  return hmac(secret, [p.wallId, p.uid, p.offerId, p.eventId, p.transactionId]);
}

export function verifyPostback(secret: string, p: PostbackReport, sig: string): boolean {
  return sameHex(signPostback(secret, p), sig);
}
