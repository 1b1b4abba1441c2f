import type { RankedOffer, Ranking } from './domain/decide.js';
import type { CatalogOffer } from './domain/offer.js';
import { CLICK_GROUP, ClickSigner } from './domain/signatures.js';
import { catalogFields, envelope, type RenderOptions, signClickGroup } from './offerwall-response.js';

const num = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');

/** Bodies are carved out of 1 MB slabs: one allocation per ~40 responses, not one each. */
const SLAB_BYTES = 1024 * 1024;

/** The slab bodies are cut from, and where its free part starts: one per PersonalizedJson. */
class Slab {
  buf = Buffer.allocUnsafe(SLAB_BYTES);
  free = 0;

  renew(size: number): void {
    this.buf = Buffer.allocUnsafe(Math.max(SLAB_BYTES, size));
    this.free = 0;
  }
}

/**
 * A body written into the free end of its renderer's slab, then handed out as a view of it.
 * A fresh ~25 KB Buffer per response is a malloc'd ArrayBuffer that V8 tracks as external
 * memory, and at thousands of responses a second that tracking alone triggered extra
 * scavenges (profiled: GC was 12% of the offerwall's time). A slab is freed by the GC
 * once no body cut from it is still being written to a socket. Rendering is synchronous,
 * so only one body is being written at a time.
 */
class BodyWriter {
  buf: Buffer;
  at: number;
  private start: number;

  constructor(
    private readonly slab: Slab,
    size: number,
  ) {
    if (slab.free + size > slab.buf.length) slab.renew(size);
    this.buf = slab.buf;
    this.start = slab.free;
    this.at = this.start;
  }

  /** Makes room for `n` more bytes, moving the body so far to a new slab if this one is full. */
  ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const written = this.at - this.start;
    this.slab.renew(2 * (written + n));
    this.buf.copy(this.slab.buf, 0, this.start, this.at);
    this.buf = this.slab.buf;
    this.start = 0;
    this.at = written;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    // TypedArray#set has a fixed cost that a short field name does not repay.
    if (n > 64) this.buf.set(b, this.at);
    else for (let i = 0; i < n; i++) this.buf[this.at + i] = b[i] as number;
    this.at += n;
  }

  /** Any string, as UTF-8 (a short ASCII one is copied char by char, cheaper than a call into C++). */
  text(s: string): void {
    this.ensure(s.length * 3);
    const { buf } = this;
    let at = this.at;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        this.at += buf.write(s, this.at, 'utf8');
        return;
      }
      buf[at++] = c;
    }
    this.at = at;
  }

  /** The body, as a view of the slab; the slab's free part starts after it (8-byte aligned). */
  body(): Buffer {
    this.slab.free = (this.at + 7) & ~7;
    return this.buf.subarray(this.start, this.at);
  }

  /** The body's length so far. */
  get length(): number {
    return this.at - this.start;
  }
}

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
type Status = 'in_progress' | 'completed' | null;
const STATUSES: readonly Status[] = [null, 'in_progress', 'completed'];

/** The FLAGS entry of an eligibility and a status: a number, not a string key built per offer. */
const flagsIndex = (eligible: boolean, status: Status): number =>
  (eligible ? STATUSES.length : 0) + STATUSES.indexOf(status);

/** `","eligible":…,"in_progress":…,"user_completed":…,"score":` for each eligibility and status. */
const FLAGS: readonly Buffer[] = [false, true].flatMap((eligible) =>
  STATUSES.map((status) =>
    ascii(
      `","eligible":${eligible},"in_progress":${status === 'in_progress'},` +
        `"user_completed":${status === 'completed'},"score":`,
    ),
  ),
);
/** `,"user_status":…` for each status. */
const USER_STATUS = new Map(STATUSES.map((s) => [s, ascii(`,"user_status":${JSON.stringify(s)}`)]));
const HOT_OFFERS_ORDER = ascii(',"hot_offers_order":');
const SORTMETRIC = ascii(',"sortmetric":');
const CONVERSION_RATE = ascii(',"conversion_rate":');

/** A catalog offer's fields as JSON without the closing brace, so the user's fields can follow. */
interface CatalogPart {
  open: Buffer;
  /** No catalog field at all (`{}`): the user fields then start without a comma. */
  empty: boolean;
}

/** What every click link of one response shares, JSON-escaped and encoded once. */
interface LinkParts {
  /** `,"click_url":"<base>/api/v1/click?wall=…&uid=…&offer=`, with and without the comma. */
  open: [Buffer, Buffer];
  /** `&sid3=…&exp=…&sig=` (no sid3 when there is none), for every group's tail. */
  sig: string;
  signer: ClickSigner;
}

const PLAIN_ID = /^-?\d+$/;

/** The offer id as it appears in a click URL, JSON-escaped. */
function offerInUrl(offerId: number): string {
  if (Number.isSafeInteger(offerId)) return String(offerId);
  const id = String(offerId);
  return PLAIN_ID.test(id)
    ? id
    : JSON.stringify(new URLSearchParams({ offer: id }).toString().slice('offer='.length)).slice(1, -1);
}

/**
 * renderPersonalized, serialized — the same bytes as `JSON.stringify` of it, built
 * faster: each catalog offer's fields are serialized once per catalog (the offer
 * objects are frozen and replaced whole by a sync), the click links share one
 * prefix and one prepared HMAC key, each group of CLICK_GROUP links one signature
 * and one written tail, and the body is assembled in one buffer.
 * test/offerwall/offerwall-json.test.ts holds it to JSON.stringify(renderPersonalized(...)).
 */
export class PersonalizedJson {
  private readonly parts = new WeakMap<CatalogOffer, CatalogPart>();
  /** One signer per click secret (a wall's secret is fixed for the process). */
  private readonly signers = new Map<string, ClickSigner>();
  private readonly slab = new Slab();
  /** The last body's size: the next one starts with that much room. */
  private size = 32 * 1024;

  private signer(secret: string): ClickSigner {
    let signer = this.signers.get(secret);
    if (!signer) {
      signer = new ClickSigner(secret);
      this.signers.set(secret, signer);
    }
    return signer;
  }

  private catalogPart(offer: CatalogOffer): CatalogPart {
    let part = this.parts.get(offer);
    if (part === undefined) {
      const json = JSON.stringify(catalogFields(offer));
      part = { open: Buffer.from(json.slice(0, -1), 'utf8'), empty: json === '{}' };
      this.parts.set(offer, part);
    }
    return part;
  }

  private linkParts(o: RenderOptions): LinkParts {
    const head = new URLSearchParams({ wall: String(o.wall.wallId), uid: o.uid }).toString();
    const sid3 = o.sid3 === null ? '' : `&${new URLSearchParams({ sid3: o.sid3 }).toString()}`;
    const exp = `&exp=${o.exp}`;
    const escaped = (s: string) => JSON.stringify(s).slice(1, -1);
    const open = `"click_url":"${escaped(`${o.baseUrl}/api/v1/click?${head}&offer=`)}`;
    return {
      open: [Buffer.from(`,${open}`, 'utf8'), Buffer.from(open, 'utf8')],
      sig: `${escaped(sid3)}${exp}&sig=`,
      signer: this.signer(o.wall.secrets.clickSecret),
    };
  }

  /**
   * `&offers=…&sid3=…&exp=…&sig=<hex>`, what every link of the group of offers from
   * `start` ends with: the group is signed here, once for all its links.
   */
  private groupTail(
    offers: readonly RankedOffer[],
    start: number,
    o: RenderOptions,
    links: LinkParts,
  ): Buffer {
    const end = Math.min(start + CLICK_GROUP, offers.length);
    const ids: number[] = [];
    for (let n = start; n < end; n++) ids.push((offers[n] as RankedOffer).offer.offer_id);
    const group = signClickGroup(o, ids, links.signer);
    return Buffer.from(`&offers=${group.offerIds.join(',')}${links.sig}${group.sig}`, 'utf8');
  }

  render(ranking: Ranking, o: RenderOptions): Buffer {
    const out = new BodyWriter(this.slab, this.size);
    const head = JSON.stringify(envelope(ranking, o));
    out.text(`${head.slice(0, -1)},"offers":[`);
    const links = this.linkParts(o);
    const { offers } = ranking;
    let tail: Buffer | undefined;
    for (let n = 0; n < offers.length; n++) {
      const r = offers[n] as RankedOffer;
      if (n % CLICK_GROUP === 0) tail = this.groupTail(offers, n, o, links);
      const part = this.catalogPart(r.offer);
      out.bytes(part.open);
      out.bytes(links.open[part.empty ? 1 : 0]);
      out.text(offerInUrl(r.offer.offer_id));
      out.bytes(tail as Buffer);
      this.userFields(out, r, o);
      out.text(n + 1 < offers.length ? '},' : '}');
    }
    out.text(']}');
    this.size = Math.max(1024, out.length + 1024);
    return out.body();
  }

  /** The user fields of one offer after its click URL, as JSON.stringify(userFields(...)) writes them. */
  private userFields(out: BodyWriter, r: RankedOffer, o: RenderOptions): void {
    const status = r.progress?.status ?? null;
    const known = status === null || status === 'in_progress' || status === 'completed';
    const flags = known ? FLAGS[flagsIndex(r.eligible, status)] : undefined;
    const userStatus = known ? USER_STATUS.get(status) : undefined;
    if (flags && userStatus) {
      out.bytes(flags);
      out.text(num(r.score));
      out.bytes(HOT_OFFERS_ORDER);
      out.text(num(r.rank));
      out.bytes(userStatus);
    } else {
      // A status outside the known ones: spelled out as JSON.stringify would.
      const s = `","eligible":${r.eligible},"in_progress":false,"user_completed":false,"score":`;
      out.text(`${s}${num(r.score)},"hot_offers_order":${num(r.rank)}`);
      out.text(`,"user_status":${JSON.stringify(status)}`);
    }
    if (!o.includeSortmetric) return;
    out.bytes(SORTMETRIC);
    out.text(num(r.metric));
    const rate = r.offer.conversion_rate;
    if (rate === undefined) return;
    out.bytes(CONVERSION_RATE);
    out.text(num(rate));
  }
}
