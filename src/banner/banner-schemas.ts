/**
 * The banner API's request schemas (JSON Schema draft 2020-12): written once, validated
 * with ajv at the edge (banner-request.ts; the SDKs' /track and /import in sdk/track-schemas.ts) and published in the API
 * reference. What a schema cannot say (the app's own prize types, both postal codes
 * agreeing, the context's size) is checked next to where each is read.
 */
import { NOT_IN_IDS } from '../http/id-text.js';
import type { SchemaMessages } from '../http/request-schema.js';
import { MAX_BUCKET_VERSION } from './rules/banner-schema.js';

/** No control character (C0, DEL, C1), line separator, bidi control or invisible character (id-text.ts; linear: no backtracking on a long value). */
const NO_CONTROL_CHARS = `^[^${NOT_IN_IDS}]*$`;

/**
 * A non-empty string without control or invisible characters, at most `maxLength` long; `also` adds
 * other types the field takes (the string keywords apply to strings only).
 */
export function text(maxLength: number, description: string, also: readonly ('number' | 'null')[] = []) {
  return {
    type: also.length === 0 ? 'string' : ['string', ...also],
    // A number taken as its decimal text must be one JSON kept: past 2^53 the parser has
    // already rounded it, and two players' ids became one (hostile probe: Steam64 ids).
    ...(also.includes('number')
      ? { minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }
      : {}),
    minLength: 1,
    maxLength,
    pattern: NO_CONTROL_CHARS,
    // Something besides white space (request-schema.ts defines the format).
    format: 'non-blank',
    description,
  } as const;
}

/** What a number id past 2^53 is told: JSON parsers round it, so it is no longer the id sent. */
export const UNSAFE_NUMBER = `as a number must be within ±${Number.MAX_SAFE_INTEGER} (JSON rounds larger ones: send them as strings)`;

/** The words a client reads for a text field that fails. */
export function textMessages(maxLength: number) {
  return {
    type: 'must be a string',
    minLength: 'must not be empty',
    maxLength: `must be at most ${maxLength} characters`,
    pattern: 'must not contain control or invisible characters',
    format: 'must not be empty',
    minimum: UNSAFE_NUMBER,
    maximum: UNSAFE_NUMBER,
  } as const;
}

/** A postal code as the node SDK sends it: letters, digits, spaces or hyphens (white space around it is trimmed). */
const postalCode = {
  type: ['string', 'integer', 'null'],
  pattern: '^\\s*[A-Za-z0-9][A-Za-z0-9 -]{0,11}\\s*$',
  minimum: 0,
  maximum: 999_999_999_999,
} as const;

/** Keys of the getPersonalizedBanner body with a meaning of their own; every other key is context. */
export const BANNER_REQUEST_FIELDS = [
  'userId',
  'offerId',
  'prizeKey',
  'prizeTypes',
  'countryIso2',
  'languageIso2',
  'zipCode',
  'postalCode',
  'occasion',
] as const;

/** `POST /getPersonalizedBanner` (and `/ab/getPersonalizedBanner`). */
export const personalizedBannerSchema = {
  title: 'Personalized banner request',
  description:
    'Who asks for which offer. Every key that is not a field below is context (the vendor\'s "ContextObject"): at most 100 keys, nested at most 8 levels, readable by rules as request.<key>.',
  type: 'object',
  required: ['userId', 'offerId'],
  properties: {
    userId: { title: 'User id', ...text(256, 'The app’s id of the user; experiments are sticky per user.') },
    offerId: {
      title: 'Offer id',
      ...text(128, 'The offer slot asking for a banner: a string, or a number taken as its decimal text.', [
        'number',
      ]),
    },
    prizeKey: {
      title: 'Prize key',
      ...text(
        128,
        'The prize to show, such as gems_500; absent or null takes the app’s settings.defaultPrizeKey.',
        ['null'],
      ),
    },
    prizeTypes: {
      title: 'Prize types',
      description:
        'Prize types the client can show, each one of the app’s settings.prizeTypes; a bare string is a list of one; duplicates are dropped.',
      type: ['string', 'array', 'null'],
      maxItems: 20,
      items: { type: 'string' },
    },
    countryIso2: {
      title: 'Country',
      description:
        'ISO 3166-1 alpha-2 country code, any case; absent or null takes the caller’s country by geo-IP.',
      type: ['string', 'null'],
      format: 'iso3166-alpha2',
    },
    languageIso2: {
      title: 'Language',
      description: 'ISO 639-1 language code, any case.',
      type: ['string', 'null'],
      format: 'iso639-1',
    },
    zipCode: {
      title: 'Postal code',
      description: 'Letters, digits, spaces or hyphens, at most 12; a whole number is taken as its digits.',
      ...postalCode,
    },
    postalCode: {
      title: 'Postal code (node SDK)',
      description: 'The node SDK’s name for zipCode; when both are sent they must agree.',
      ...postalCode,
    },
    occasion: {
      title: 'Occasion',
      description: 'Why the banner is asked for, an id such as level_up (any case; read in lower case).',
      type: ['string', 'null'],
      pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$',
    },
  },
} as const;

const POSTAL_MESSAGE = 'must be a postal code (letters, digits, spaces or hyphens; at most 12)';

export const personalizedBannerMessages: SchemaMessages = {
  body: { type: 'must be a JSON object' },
  userId: textMessages(256),
  offerId: { ...textMessages(128), type: 'must be a string or a number' },
  prizeKey: textMessages(128),
  prizeTypes: { type: 'must be an array of prize types', maxItems: 'must have at most 20 items' },
  'prizeTypes[]': 'must be a prize type',
  countryIso2: 'must be an ISO 3166-1 alpha-2 country code, e.g. DE',
  languageIso2: 'must be an ISO 639-1 language code, e.g. de',
  zipCode: POSTAL_MESSAGE,
  postalCode: POSTAL_MESSAGE,
  occasion: 'must be an id such as level_up',
};

/** `GET /admin/apps/{appId}/experiments/{experimentId}`: its query. */
export const experimentResultsQuerySchema = {
  title: 'Experiment results query',
  type: 'object',
  properties: {
    bucketVersion: {
      title: 'Bucket version',
      description:
        'Counts only users assigned under this bucket version; absent: the experiment’s current one. A version above the current one is found only when users are assigned to it (it ran before a rollback of its bump).',
      type: 'integer',
      minimum: 1,
      maximum: MAX_BUCKET_VERSION,
    },
  },
} as const;

export const experimentResultsQueryMessages: SchemaMessages = {
  bucketVersion: `must be an integer from 1 to ${MAX_BUCKET_VERSION}`,
};
