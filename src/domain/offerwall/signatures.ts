import { createHmac, timingSafeEqual } from 'node:crypto';
import { Blake2sMac, blake2sMacHex } from './blake2s-mac.js';

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

const clickFields = (c: ClickLink): (string | number)[] => [c.wallId, c.uid, c.offerId, c.sid3 ?? ''];

/** Click MACs by secret: a wall's secret is fixed for the process, and a MAC hashes its key once. */
const clickMacs = new Map<string, (message: string) => string>();

function clickMac(secret: string): (message: string) => string {
  let mac = clickMacs.get(secret);
  if (!mac) {
    mac = blake2sMacHex(secret);
    if (clickMacs.size >= 64) clickMacs.clear();
    clickMacs.set(secret, mac);
  }
  return mac;
}

/**
 * Keyed BLAKE2s-256 (hex) of `wall\nuid\noffer\nsid3` (empty sid3 when there is none).
 * Links are offerd's own, signed and verified only here: BLAKE2s's keyed mode is a MAC
 * of its own and a link costs one compression instead of HMAC-SHA256's two larger ones
 * (see blake2s-mac.ts). Links signed with HMAC-SHA256 before still verify.
 */
export function signClick(secret: string, c: ClickLink): string {
  return clickMac(secret)(clickFields(c).join('\n'));
}

/** signClick for the many links of one response, writing the hex into a buffer. */
export class ClickSigner {
  private readonly mac: Blake2sMac;
  private message = new Uint8Array(256);
  private prefix = 0;
  private suffix: Uint8Array = new Uint8Array(0);

  constructor(secret: string) {
    this.mac = new Blake2sMac(secret);
  }

  /** Starts one user's links: the message's bytes before the offer id are the same for all. */
  user(wallId: number, uid: string, sid3: string | null): this {
    const head = Buffer.from(`${wallId}\n${uid}\n`, 'utf8');
    this.suffix = Buffer.from(`\n${sid3 ?? ''}`, 'utf8');
    const room = head.length + 32 + this.suffix.length;
    if (this.message.length < room) this.message = new Uint8Array(room * 2);
    this.message.set(head);
    this.prefix = head.length;
    return this;
  }

  /** Writes signClick's hex for `offerId` (of the current user) at `out[at..at+64)`. */
  signInto(offerId: number, out: Uint8Array, at: number): void {
    const m = this.message;
    // String(number) is ASCII: digits, sign, '.', 'e', or NaN/Infinity.
    const id = String(offerId);
    let n = this.prefix;
    for (let i = 0; i < id.length; i++) m[n++] = id.charCodeAt(i);
    m.set(this.suffix, n);
    this.mac.hexInto(m, n + this.suffix.length, out, at);
  }
}

export function verifyClick(secret: string, c: ClickLink, sig: string): boolean {
  // Both are computed: which one matched leaks nothing about the secret.
  const current = sameHex(signClick(secret, c), sig);
  const legacy = sameHex(hmac(secret, clickFields(c)), sig);
  return current || legacy;
}

/** HMAC-SHA256 (hex) of `wall\nuid\noffer\nevent\ntransaction_id`. */
export function signPostback(secret: string, p: PostbackReport): string {
  return hmac(secret, [p.wallId, p.uid, p.offerId, p.eventId, p.transactionId]);
}

export function verifyPostback(secret: string, p: PostbackReport, sig: string): boolean {
  return sameHex(signPostback(secret, p), sig);
}
