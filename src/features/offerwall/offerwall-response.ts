import type { RankedOffer, Ranking } from '../../domain/offerwall/decide.js';
import type { CatalogOffer } from '../../domain/offerwall/offer.js';
import { ClickSigner, signClick } from '../../domain/offerwall/signatures.js';
import type { WallInfo } from './offerwall-service.js';

export interface RenderOptions {
  wall: WallInfo;
  uid: string;
  sid3: string | null;
  /** Where clients reach offerd, e.g. `https://offers.example.com`. */
  baseUrl: string;
  includeSortmetric: boolean;
  supportId: number;
  experimentId: string | null;
  bidFloor: number | null;
}

/** The complete, user-specific tracking link: offerd's click endpoint, signed. */
export function clickUrl(o: RenderOptions, offerId: number): string {
  const link = { wallId: o.wall.wallId, uid: o.uid, offerId, sid3: o.sid3 };
  const q = new URLSearchParams({ wall: String(o.wall.wallId), uid: o.uid, offer: String(offerId) });
  if (o.sid3 !== null) q.set('sid3', o.sid3);
  q.set('sig', signClick(o.wall.secrets.clickSecret, link));
  return `${o.baseUrl}/api/v1/click?${q.toString()}`;
}

/** An offer's catalog fields, the same for every user, in the contract's order. */
function catalogFields(offer: CatalogOffer): Record<string, unknown> {
  return {
    offer_id: offer.offer_id,
    offer_name: offer.offer_name,
    headline: offer.headline,
    description: offer.description,
    offer_terms: offer.offer_terms,
    label: offer.label,
    category: offer.category,
    offer_type: offer.offer_type,
    total_user_reward: offer.total_user_reward,
    payout: offer.payout,
    attribution_window_days: offer.attribution_window_days,
    events: offer.events,
    platform: offer.platform,
    countries: offer.countries,
    min_os_version: offer.min_os_version,
    epc: offer.epc,
    tracking_delay: offer.tracking_delay,
    creatives: offer.creatives,
  };
}

/** What the response says about this user and offer, after the catalog fields. */
function userFields(r: RankedOffer, o: RenderOptions, url: string): Record<string, unknown> {
  const status = r.progress?.status ?? null;
  return {
    click_url: url,
    eligible: r.eligible,
    in_progress: status === 'in_progress',
    user_completed: status === 'completed',
    score: r.breakdown.score,
    hot_offers_order: r.rank,
    user_status: status,
    ...(o.includeSortmetric
      ? { sortmetric: r.breakdown.metric, conversion_rate: r.offer.conversion_rate }
      : {}),
  };
}

function renderOffer(r: RankedOffer, o: RenderOptions): Record<string, unknown> {
  return { ...catalogFields(r.offer), ...userFields(r, o, clickUrl(o, r.offer.offer_id)) };
}

function envelope(ranking: Ranking, o: RenderOptions): Record<string, unknown> {
  return {
    status: 'success',
    publisher_id: o.wall.publisherId,
    wall_id: o.wall.wallId,
    support_id: o.supportId,
    total: ranking.total,
    offset: 0,
    limit: ranking.offers.length,
    experiment_id: o.experimentId,
    bid_floor: o.bidFloor,
  };
}

/** The 200 body of the personalized endpoint, in the contract's field order. */
export function renderPersonalized(ranking: Ranking, o: RenderOptions): Record<string, unknown> {
  return { ...envelope(ranking, o), offers: ranking.offers.map((r) => renderOffer(r, o)) };
}

const num = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');

/** A body written into one growing buffer (a response is ~25 KB: a few large copies, no chunk list). */
class BodyWriter {
  buf: Buffer;
  at = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
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

  body(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const CLICK_URL = ascii('"click_url":"');
const SIG = ascii('&sig=');
const ELIGIBLE = [ascii('","eligible":false'), ascii('","eligible":true')];
const IN_PROGRESS = [ascii(',"in_progress":false'), ascii(',"in_progress":true')];
const USER_COMPLETED = [ascii(',"user_completed":false'), ascii(',"user_completed":true')];
const SCORE = ascii(',"score":');
const HOT_OFFERS_ORDER = ascii(',"hot_offers_order":');
const USER_STATUS = ascii(',"user_status":');
const SORTMETRIC = ascii(',"sortmetric":');
const CONVERSION_RATE = ascii(',"conversion_rate":');
const SIG_HEX = 64;

/** A catalog offer's fields as JSON without the closing brace, so the user's fields can follow. */
interface CatalogPart {
  open: Buffer;
  /** No catalog field at all (`{}`): the user fields then start without a comma. */
  empty: boolean;
}

/** What every click link of one response shares, JSON-escaped and encoded once. */
interface LinkParts {
  /** `<base>/api/v1/click?wall=…&uid=…&offer=` */
  prefix: Buffer;
  /** `&sid3=…`, or empty. */
  sid3: Buffer;
  signer: ClickSigner;
}

const PLAIN_ID = /^-?\d+$/;

/**
 * renderPersonalized, serialized — the same bytes as `JSON.stringify` of it, built
 * faster: each catalog offer's fields are serialized once per catalog (the offer
 * objects are frozen and replaced whole by a sync), the click links share one
 * prefix and one HMAC key per response and their signatures are written as hex
 * straight into the body, which is assembled in one buffer.
 * test/features/offerwall/offerwall-json.test.ts holds it to JSON.stringify(renderPersonalized(...)).
 */
export class PersonalizedJson {
  private readonly parts = new WeakMap<CatalogOffer, CatalogPart>();
  /** One signer per click secret (a wall's secret is fixed for the process). */
  private readonly signers = new Map<string, ClickSigner>();
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
    const escaped = (s: string) => Buffer.from(JSON.stringify(s).slice(1, -1), 'utf8');
    return {
      prefix: escaped(`${o.baseUrl}/api/v1/click?${head}&offer=`),
      sid3: escaped(sid3),
      signer: this.signer(o.wall.secrets.clickSecret).user(o.wall.wallId, o.uid, o.sid3),
    };
  }

  render(ranking: Ranking, o: RenderOptions): Buffer {
    const out = new BodyWriter(this.size);
    const head = JSON.stringify(envelope(ranking, o));
    out.text(`${head.slice(0, -1)},"offers":[`);
    const links = this.linkParts(o);
    const { offers } = ranking;
    for (let n = 0; n < offers.length; n++) {
      const r = offers[n] as RankedOffer;
      const part = this.catalogPart(r.offer);
      out.bytes(part.open);
      if (!part.empty) out.text(',');
      this.userFields(out, r, o, links);
      out.text(n + 1 < offers.length ? '},' : '}');
    }
    out.text(']}');
    this.size = Math.max(1024, out.at + 1024);
    return out.body();
  }

  /** The user fields of one offer as JSON.stringify(userFields(...)) writes them, without braces. */
  private userFields(out: BodyWriter, r: RankedOffer, o: RenderOptions, links: LinkParts): void {
    const status = r.progress?.status ?? null;
    const offerId = r.offer.offer_id;
    out.bytes(CLICK_URL);
    out.bytes(links.prefix);
    const id = String(offerId);
    if (PLAIN_ID.test(id)) out.text(id);
    else
      out.text(
        JSON.stringify(new URLSearchParams({ offer: id }).toString().slice('offer='.length)).slice(1, -1),
      );
    out.bytes(links.sid3);
    out.bytes(SIG);
    out.ensure(SIG_HEX);
    links.signer.signInto(offerId, out.buf, out.at);
    out.at += SIG_HEX;
    out.bytes(ELIGIBLE[Number(r.eligible)] as Buffer);
    out.bytes(IN_PROGRESS[Number(status === 'in_progress')] as Buffer);
    out.bytes(USER_COMPLETED[Number(status === 'completed')] as Buffer);
    out.bytes(SCORE);
    out.text(num(r.breakdown.score));
    out.bytes(HOT_OFFERS_ORDER);
    out.text(num(r.rank));
    out.bytes(USER_STATUS);
    out.text(status === null ? 'null' : JSON.stringify(status));
    if (!o.includeSortmetric) return;
    out.bytes(SORTMETRIC);
    out.text(num(r.breakdown.metric));
    const rate = r.offer.conversion_rate;
    if (rate === undefined) return;
    out.bytes(CONVERSION_RATE);
    out.text(num(rate));
  }
}
