/** A compiled special offer: what one trigger may answer, and its limits per user. */
export interface SpecialOffer {
  id: string;
  trigger: string;
  /** Higher first; equal priorities keep rule order. */
  priority: number;
  experimentId: string | null;
  variations: readonly number[];
  title: string;
  /** URL template; placeholders in OFFER_PLACEHOLDERS. */
  image: string;
  productId: string | null;
  price: number | null;
  originalPrice: number | null;
  currency: string | null;
  expiresInMinutes: number;
  cooldownMinutes: number | null;
  maxPerUser: number | null;
}

/** What a special offer's image URL template may contain, each as `{name}`. */
export const OFFER_PLACEHOLDERS = [
  'offerId',
  'trigger',
  'productId',
  'countryIso2',
  'languageIso2',
  'experimentId',
  'variationId',
] as const;
export type OfferTemplateValues = Record<(typeof OFFER_PLACEHOLDERS)[number], string>;

const PLACEHOLDER = /\{([^{}]*)\}/g;

export function unknownOfferPlaceholders(template: string): string[] {
  const known = new Set<string>(OFFER_PLACEHOLDERS);
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '').filter((n) => !known.has(n));
}

/** Fills the template, URL-encoding each value so no input can change the URL's shape. */
export function fillOfferImage(template: string, values: OfferTemplateValues): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(values, name) ? encodeURIComponent(values[name as keyof OfferTemplateValues]) : whole,
  );
}

/** Whether the template, filled with sample values, is an absolute http(s) URL. */
export function isHttpOfferTemplate(template: string): boolean {
  const sample = Object.fromEntries(OFFER_PLACEHOLDERS.map((p) => [p, 'x'])) as OfferTemplateValues;
  try {
    const url = new URL(fillOfferImage(template, sample));
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Whole percent off the original price, or null when there is no (higher) original price. */
export function discountPercent(price: number | null, original: number | null): number | null {
  if (price === null || original === null || original <= price) return null;
  return Math.round((1 - price / original) * 100);
}

/** Experiment and variation as the SDKs read them: -1 outside every experiment, never 0 (control). */
export const NO_EXPERIMENT_VARIATION = -1;
