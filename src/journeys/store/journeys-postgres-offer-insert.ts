import type pg from 'pg';
import type { NewOffer } from '../domain/journey-types.js';
import type { Row } from './journeys-postgres-rows.js';

/**
 * A chunk's offers as two joined column sets: per offer only its id, its user and which
 * of the chunk's distinct offer contents it carries; the contents (type, texts, points,
 * instants, metadata) once each. A generation run plans every user at one instant, so a
 * chunk of 5,000 offers holds a handful of distinct contents unless a text reads a
 * player's own facts: PostgreSQL parses two timestamps and a jsonb per content instead of
 * per offer, and node encodes ~55 bytes per offer instead of ~200 (the per-offer arrays:
 * 300,000 offers in 28.4 s, these 22.9 s, one quarter each in turns on a loaded host).
 * Ordered by the chunk's order (the offers' seq). The count of inserted rows comes back,
 * and the inserted ids only when a conflict left some out (a concurrent insert of the
 * same id): no row per offer to parse in the usual case.
 */
const INSERT_OFFERS = `
  WITH inserted AS (
    INSERT INTO journeys_offers (app_id, environment, id, external_id, offer_type, game_type, title,
      description, points_value, status, created_at, expires_at, claimed_at, metadata)
    SELECT $1, $2, t.id, t.external_id, d.offer_type, d.game_type, d.title, d.description, d.points_value,
      'active', d.created_at, d.expires_at, NULL, d.metadata
    FROM unnest($3::text[], $4::text[], $5::int[]) WITH ORDINALITY AS t(id, external_id, content, ord)
    JOIN unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::timestamptz[],
      $12::timestamptz[], $13::jsonb[])
      WITH ORDINALITY AS d(offer_type, game_type, title, description, points_value, created_at, expires_at,
        metadata, content)
      USING (content)
    ORDER BY t.ord
    ON CONFLICT DO NOTHING
    RETURNING id)
  SELECT count(*)::int AS n, CASE WHEN count(*) < $14 THEN coalesce(array_agg(id), '{}') END AS ids FROM inserted`;

const ESCAPED = /["\\]/;

/**
 * A PostgreSQL array literal of `items.map(value)`, every element quoted (NULL for
 * null): what pg builds from a JS array, without its two regex replacements and its
 * checks per element (pg's array serialization was 3.7 % of a generation run's CPU).
 */
function arrayLiteral<T>(items: readonly T[], value: (item: T) => string | number | null): string {
  let out = '{';
  for (let i = 0; i < items.length; i++) {
    const v = value(items[i] as T);
    if (i > 0) out += ',';
    if (v === null) out += 'NULL';
    else if (typeof v === 'number') out += String(v);
    else out += `"${ESCAPED.test(v) ? v.replace(/["\\]/g, '\\$&') : v}"`;
  }
  return `${out}}`;
}

/** Two metadata objects whose JSON is the same, mostly without writing it: flat objects compared key by key. */
function sameMetadata(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(a);
  const other = Object.keys(b);
  if (keys.length !== other.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (k !== other[i]) return false;
    const x = a[k];
    if (x !== b[k] || (typeof x === 'object' && x !== null)) return JSON.stringify(a) === JSON.stringify(b);
  }
  return true;
}

/** Every stored column but the id and the user: the offer's content. */
function sameContent(a: NewOffer, b: NewOffer): boolean {
  return (
    a.title === b.title &&
    a.description === b.description &&
    a.gameType === b.gameType &&
    a.pointsValue === b.pointsValue &&
    a.createdAt === b.createdAt &&
    a.expiresAt === b.expiresAt &&
    sameMetadata(a.metadata, b.metadata)
  );
}

/**
 * How many contents of one offer type are searched for a match: a text that reads the
 * player's facts makes most offers distinct, and those are appended without a search
 * rather than compared with every earlier one (a content listed twice is still correct).
 */
const SEARCHED_PER_TYPE = 8;

/** The insert's parameters after the partition: offers' columns, then the distinct contents' columns. */
function insertParams(offers: readonly NewOffer[]): (string | number)[] {
  // Per offer type, its first contents and their numbers (1-based positions in `contents`).
  const byType = new Map<string, { content: NewOffer; n: number }[]>();
  const contents: NewOffer[] = [];
  const contentOf: number[] = new Array(offers.length);
  for (let i = 0; i < offers.length; i++) {
    const o = offers[i] as NewOffer;
    let known = byType.get(o.offerType);
    if (known === undefined) {
      known = [];
      byType.set(o.offerType, known);
    }
    let n = 0;
    for (const k of known)
      if (sameContent(k.content, o)) {
        n = k.n;
        break;
      }
    if (n === 0) {
      contents.push(o);
      n = contents.length;
      if (known.length < SEARCHED_PER_TYPE) known.push({ content: o, n });
    }
    contentOf[i] = n;
  }
  return [
    arrayLiteral(offers, (o) => o.id),
    arrayLiteral(offers, (o) => o.externalId),
    arrayLiteral(contentOf, (n) => n),
    arrayLiteral(contents, (o) => o.offerType),
    arrayLiteral(contents, (o) => o.gameType),
    arrayLiteral(contents, (o) => o.title),
    arrayLiteral(contents, (o) => o.description),
    arrayLiteral(contents, (o) => o.pointsValue),
    arrayLiteral(contents, (o) => o.createdAt),
    arrayLiteral(contents, (o) => o.expiresAt),
    arrayLiteral(contents, (o) => JSON.stringify(o.metadata)),
    offers.length,
  ];
}

/**
 * Inserts `offers` in the caller's transaction, in their order; an offer whose id is
 * taken by then is left out. Returns the ids inserted, or 'all'.
 */
export async function insertOffers(
  c: pg.PoolClient,
  scope: readonly string[],
  offers: readonly NewOffer[],
): Promise<'all' | Set<string>> {
  const { rows } = await c.query(INSERT_OFFERS, [...scope, ...insertParams(offers)]);
  const ids = (rows[0] as Row | undefined)?.ids as string[] | null | undefined;
  return ids === null || ids === undefined ? 'all' : new Set(ids);
}
