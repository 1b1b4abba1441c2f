import { invalidInput } from '../../http/app-error.js';
import { nestsDeeperThan } from '../../http/input-bounds.js';
import { isPlainObject } from '../banner-request.js';
import { toCountryCode, toLanguageCode } from '../domain/iso-codes.js';
import { idText, textProblem } from './sdk-keys.js';

/** `getSpecialOffer(trigger, …)` asks for the feature `special_offer_on_<trigger>`. */
export const SPECIAL_OFFER_PREFIX = 'special_offer_on_';
const TRIGGER = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const MAX_OVERRIDE_DEPTH = 8;

export interface FeatureRequest {
  featureName: string;
  /** The trigger of a special-offer feature (lower-cased), else null. */
  trigger: string | null;
  distinctId: string | null;
  predictId: string | null;
  /** propOverrides of get_feature: the `context` fact. */
  context: Record<string, unknown>;
  /** From propOverrides.countryIso2 / languageIso2 when they are valid codes. */
  countryIso2: string | null;
  languageIso2: string | null;
}

function triggerOf(featureName: string): string | null {
  if (!featureName.startsWith(SPECIAL_OFFER_PREFIX)) return null;
  const trigger = featureName.slice(SPECIAL_OFFER_PREFIX.length).toLowerCase();
  return TRIGGER.test(trigger) ? trigger : null;
}

/** The node SDK posts `[{featureName, distinct_id, predict_id, propOverrides?}]` (one object, in a list). */
export function parseFeatureRequest(body: unknown): FeatureRequest {
  const item = Array.isArray(body) && body.length === 1 ? body[0] : body;
  if (!isPlainObject(item))
    throw invalidInput([{ field: 'body', message: 'must be a JSON object (or a list of one)' }]);
  const nameProblem = textProblem(item.featureName, 200);
  if (nameProblem) throw invalidInput([{ field: 'featureName', message: nameProblem }]);
  const overrides = item.propOverrides ?? {};
  if (!isPlainObject(overrides) || nestsDeeperThan(overrides, MAX_OVERRIDE_DEPTH)) {
    throw invalidInput([
      { field: 'propOverrides', message: `must be an object nested at most ${MAX_OVERRIDE_DEPTH} levels` },
    ]);
  }
  const distinctId = idText(item.distinct_id);
  if (distinctId !== null && textProblem(distinctId, 256)) {
    throw invalidInput([{ field: 'distinct_id', message: 'must be an id of at most 256 characters' }]);
  }
  const featureName = item.featureName as string;
  const code = (v: unknown, canonical: (s: string) => string | null) =>
    typeof v === 'string' ? canonical(v) : null;
  return {
    featureName,
    trigger: triggerOf(featureName),
    distinctId,
    predictId: idText(item.predict_id),
    context: overrides,
    countryIso2: code(overrides.countryIso2, toCountryCode),
    languageIso2: code(overrides.languageIso2, toLanguageCode),
  };
}
