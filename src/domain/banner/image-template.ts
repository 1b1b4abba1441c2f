import type { BannerImage } from './banner-types.js';

/** What a banner URL template may contain, each as `{name}`. */
export const PLACEHOLDERS = [
  'prizeKey',
  'languageIso2',
  'countryIso2',
  'offerId',
  'experimentId',
  'variationId',
] as const;

export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Record<Placeholder, string>;

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Placeholder names in `template` that offerd does not know. */
export function unknownPlaceholders(template: string): string[] {
  const known = new Set<string>(PLACEHOLDERS);
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '').filter((name) => !known.has(name));
}

/** Fills every placeholder, URL-encoding the values so no input can change the URL's shape. */
export function fillTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(values, name) ? encodeURIComponent(values[name as Placeholder]) : whole,
  );
}

/** The language of the image: the requested one when the image exists in it, else the fallback. */
export function imageLanguage(image: BannerImage, requested: string | null, fallback: string): string {
  return requested !== null && image.languages.includes(requested) ? requested : fallback;
}

/** Whether `template`, filled with sample values, is an absolute http(s) URL. */
export function isHttpUrlTemplate(template: string): boolean {
  const sample = fillTemplate(template, {
    prizeKey: 'gems',
    languageIso2: 'en',
    countryIso2: 'DE',
    offerId: '1',
    experimentId: 'x',
    variationId: '1',
  });
  try {
    const url = new URL(sample);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
