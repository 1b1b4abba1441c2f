import type { RankedOffer, Ranking } from '../../domain/offerwall/decide.js';
import type { CatalogOffer } from '../../domain/offerwall/offer.js';
import { type ClickLink, clickSigner, signClick } from '../../domain/offerwall/signatures.js';
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

/**
 * The user fields of one offer as JSON.stringify(userFields(...)) writes them, without
 * the braces and without building the object (it runs for every returned offer).
 */
function userFieldsJson(r: RankedOffer, o: RenderOptions, url: string): string {
  const status = r.progress?.status ?? null;
  const json =
    `"click_url":${JSON.stringify(url)},"eligible":${r.eligible},` +
    `"in_progress":${status === 'in_progress'},"user_completed":${status === 'completed'},` +
    `"score":${num(r.breakdown.score)},"hot_offers_order":${num(r.rank)},` +
    `"user_status":${status === null ? 'null' : JSON.stringify(status)}`;
  if (!o.includeSortmetric) return json;
  const rate = r.offer.conversion_rate;
  const sortmetric = `,"sortmetric":${num(r.breakdown.metric)}`;
  return rate === undefined ? json + sortmetric : `${json}${sortmetric},"conversion_rate":${num(rate)}`;
}

/** A catalog offer's fields as JSON without the closing brace, so the user's fields can follow. */
interface CatalogPart {
  open: Buffer;
  /** No catalog field at all (`{}`): the user fields then start without a comma. */
  empty: boolean;
}

/**
 * renderPersonalized, serialized — the same bytes as `JSON.stringify` of it, built
 * faster: each catalog offer's fields are serialized once per catalog (the offer
 * objects are frozen and replaced whole by a sync), the click links share one
 * prefix and one HMAC key per response, and the body is assembled as one Buffer.
 * test/features/offerwall/offerwall-json.test.ts holds it to JSON.stringify(renderPersonalized(...)).
 */
export class PersonalizedJson {
  private readonly parts = new WeakMap<CatalogOffer, CatalogPart>();
  /** One signer per click secret (a wall's secret is fixed for the process). */
  private readonly signers = new Map<string, (c: ClickLink) => string>();

  private signer(secret: string): (c: ClickLink) => string {
    let sign = this.signers.get(secret);
    if (!sign) {
      sign = clickSigner(secret);
      this.signers.set(secret, sign);
    }
    return sign;
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

  render(ranking: Ranking, o: RenderOptions): Buffer {
    const link = clickLinks(o, this.signer(o.wall.secrets.clickSecret));
    const head = JSON.stringify(envelope(ranking, o));
    const chunks: (Buffer | string)[] = [`${head.slice(0, -1)},"offers":[`];
    ranking.offers.forEach((r, n) => {
      const part = this.catalogPart(r.offer);
      const user = userFieldsJson(r, o, link(r.offer.offer_id));
      chunks.push(part.open, `${part.empty ? '' : ','}${user}}${n + 1 < ranking.offers.length ? ',' : ''}`);
    });
    chunks.push(']}');
    return concat(chunks);
  }
}

function concat(chunks: readonly (Buffer | string)[]): Buffer {
  let length = 0;
  for (const c of chunks) length += typeof c === 'string' ? Buffer.byteLength(c, 'utf8') : c.length;
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  for (const c of chunks) at += typeof c === 'string' ? out.write(c, at, 'utf8') : c.copy(out, at);
  return out;
}

const PLAIN_ID = /^-?\d+$/;

/** clickUrl for every offer of one response: the query up to `offer=` is the same for all. */
function clickLinks(o: RenderOptions, sign: (c: ClickLink) => string): (offerId: number) => string {
  const head = new URLSearchParams({ wall: String(o.wall.wallId), uid: o.uid }).toString();
  const sid3 = o.sid3 === null ? '' : `&${new URLSearchParams({ sid3: o.sid3 }).toString()}`;
  const prefix = `${o.baseUrl}/api/v1/click?${head}&offer=`;
  return (offerId) => {
    const id = String(offerId);
    const offer = PLAIN_ID.test(id)
      ? id
      : new URLSearchParams({ offer: id }).toString().slice('offer='.length);
    const sig = sign({ wallId: o.wall.wallId, uid: o.uid, offerId, sid3: o.sid3 });
    return `${prefix}${offer}${sid3}&sig=${sig}`;
  };
}
