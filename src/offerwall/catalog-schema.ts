import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from '../rules/schemas/ajv.js';
import type { CatalogOffer, OfferPage } from './domain/offer.js';

const num = { type: 'number', minimum: 0 } as const;
const str = { type: 'string' } as const;

const eventSchema = {
  type: 'object',
  required: ['event_id', 'name', 'user_reward', 'payout'],
  properties: {
    event_id: { type: 'string', minLength: 1, maxLength: 64 },
    name: str,
    user_reward: num,
    payout: num,
    conversion_type: { type: 'integer' },
    attribution_window_days: { type: 'integer', minimum: 0 },
  },
} as const;

const offerSchema = {
  type: 'object',
  required: [
    'offer_id',
    'offer_name',
    'category',
    'offer_type',
    'total_user_reward',
    'payout',
    'events',
    'click_url_base',
  ],
  properties: {
    offer_id: { type: 'integer', minimum: 1 },
    offer_name: { type: 'string', minLength: 1 },
    headline: str,
    description: str,
    offer_terms: str,
    label: str,
    category: { type: 'string', minLength: 1 },
    offer_type: { type: 'integer', minimum: 0, maximum: 11 },
    total_user_reward: num,
    payout: num,
    attribution_window_days: { type: 'integer', minimum: 0 },
    events: { type: 'array', minItems: 1, items: eventSchema },
    platform: { enum: ['desktop', 'ios', 'android', null] },
    countries: { type: 'array', items: { type: 'string', pattern: '^[A-Z]{2}$' } },
    min_os_version: {
      anyOf: [
        { type: 'string', pattern: '^[0-9]+(\\.[0-9]+){0,2}$' },
        { type: 'number', minimum: 0 },
        { type: 'null' },
      ],
    },
    epc: num,
    conversion_rate: { type: 'number', minimum: 0, maximum: 1 },
    tracking_delay: str,
    creatives: {
      type: 'array',
      items: { type: 'object', required: ['url'], properties: { url: { type: 'string', minLength: 1 } } },
    },
    click_url_base: { type: 'string', pattern: '^https?://' },
    created_at: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
    cap_remaining: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] },
  },
} as const;

/** One page of the vendor's Get Offers API; extra fields are allowed and dropped. */
export const offerPageSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['status', 'publisher_id', 'wall_id', 'total', 'offset', 'limit', 'offers'],
  properties: {
    status: { const: 'success' },
    publisher_id: { type: 'integer' },
    wall_id: { type: 'integer' },
    total: { type: 'integer', minimum: 0 },
    offset: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 0 },
    offers: { type: 'array', items: offerSchema },
  },
} as const;

type RawOffer = Partial<CatalogOffer> &
  Pick<CatalogOffer, 'offer_id' | 'offer_name' | 'category' | 'offer_type' | 'events' | 'click_url_base'> & {
    min_os_version?: string | number | null;
  };

function describe(errors: ErrorObject[]): string[] {
  return errors.slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

/** The parts of an offer a schema cannot check: its steps and its totals. */
function offerProblems(o: RawOffer, at: string): string[] {
  const problems: string[] = [];
  if (o.events[0]?.event_id !== 'base') problems.push(`${at}/events/0/event_id must be 'base'`);
  if (new Set(o.events.map((e) => e.event_id)).size !== o.events.length) {
    problems.push(`${at}/events has duplicate event_id`);
  }
  for (const [total, step] of [
    ['total_user_reward', 'user_reward'],
    ['payout', 'payout'],
  ] as const) {
    const sum = o.events.reduce((s, e) => s + e[step], 0);
    if (Math.abs(sum - (o[total] ?? 0)) > 0.01) {
      problems.push(
        `${at}/${total} ${o[total]} is not the sum of its events' (${Math.round(sum * 100) / 100})`,
      );
    }
  }
  return problems;
}

/** Fills the optional Get Offers fields, keeps only known ones, so every offer has one shape. */
function normalize(o: RawOffer): CatalogOffer {
  return {
    offer_id: o.offer_id,
    offer_name: o.offer_name,
    headline: o.headline ?? '',
    description: o.description ?? '',
    offer_terms: o.offer_terms ?? '',
    label: o.label ?? '',
    category: o.category,
    offer_type: o.offer_type,
    total_user_reward: o.total_user_reward ?? 0,
    payout: o.payout ?? 0,
    attribution_window_days: o.attribution_window_days ?? 30,
    events: o.events.map((e) => ({
      event_id: e.event_id,
      name: e.name,
      user_reward: e.user_reward,
      payout: e.payout,
      conversion_type: e.conversion_type ?? 0,
      attribution_window_days: e.attribution_window_days ?? o.attribution_window_days ?? 30,
    })),
    platform: o.platform ?? null,
    countries: o.countries ?? [],
    min_os_version:
      o.min_os_version === null || o.min_os_version === undefined ? null : String(o.min_os_version),
    epc: o.epc ?? 0,
    conversion_rate: o.conversion_rate ?? 0,
    tracking_delay: o.tracking_delay ?? '',
    creatives: o.creatives ?? [],
    click_url_base: o.click_url_base,
    created_at: o.created_at ?? null,
    cap_remaining: o.cap_remaining ?? null,
  };
}

export type PageCheck = { ok: true; page: OfferPage } | { ok: false; problems: string[] };

/** Validates Get Offers pages against the schema and offerd's own checks. Compile once, reuse. */
export class OfferPageValidator {
  private readonly validate: ValidateFunction;

  constructor() {
    this.validate = createAjv().compile(offerPageSchema);
  }

  check(value: unknown): PageCheck {
    if (!this.validate(value)) return { ok: false, problems: describe([...(this.validate.errors ?? [])]) };
    const raw = value as Omit<OfferPage, 'offers'> & { offers: RawOffer[] };
    const problems = raw.offers.flatMap((o, i) => offerProblems(o, `/offers/${i}`));
    if (problems.length > 0) return { ok: false, problems: problems.slice(0, 5) };
    return { ok: true, page: { ...raw, offers: raw.offers.map(normalize) } };
  }
}

/** Offer ids that appear more than once in a catalog. */
export function duplicateOfferIds(offers: readonly CatalogOffer[]): number[] {
  const seen = new Set<number>();
  const dup = new Set<number>();
  for (const o of offers) (seen.has(o.offer_id) ? dup : seen).add(o.offer_id);
  return [...dup];
}
