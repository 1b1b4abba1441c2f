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
  return templateFiller(template)(values);
}

export type TemplateFiller = (values: TemplateValues) => string;

/**
 * `fillTemplate` for one template, split once into text and placeholders: a server fills
 * the same few templates on every request. Unknown placeholders stay as written.
 */
export function templateFiller(template: string): TemplateFiller {
  const known = new Set<string>(PLACEHOLDERS);
  const parts: (string | { name: Placeholder })[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const name = m[1] ?? '';
    if (!known.has(name)) continue;
    parts.push(template.slice(last, m.index), { name: name as Placeholder });
    last = m.index + m[0].length;
  }
  parts.push(template.slice(last));
  return (values) => {
    let url = '';
    for (const part of parts) url += typeof part === 'string' ? part : encodeURIComponent(values[part.name]);
    return url;
  };
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
