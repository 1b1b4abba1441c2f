import { type FieldProblem, invalidInput } from '../../http/app-error.js';
import { nestsDeeperThan } from '../../http/input-bounds.js';
import { type RequestSchema, RequestSchemas } from '../../http/request-schema.js';
import { isPlainObject } from '../banner-request.js';
import { toCountryCode, toLanguageCode } from '../domain/iso-codes.js';
import { asList, idText } from './sdk-keys.js';
import {
  featureBodyMessages,
  featureBodySchema,
  MAX_VALUE_DEPTH,
  SPECIAL_OFFER_PREFIX,
} from './sdk-schemas.js';

export { SPECIAL_OFFER_PREFIX } from './sdk-schemas.js';

const TRIGGER = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export interface FeatureRequest {
  featureName: string;
  /** The trigger of a special-offer feature (lower-cased), else null. */
  trigger: string | null;
  distinctId: string | null;
  predictId: string | null;
  /** propOverrides of get_feature: the `context` fact. */
  context: Record<string, unknown>;
  /**
   * The body has a `propOverrides` key: the SDK's get_feature (getSpecialOffer never sends
   * one), which judges only a reply of `1` (verbose: `status` 1) a success.
   */
  getFeature: boolean;
  /** From propOverrides.countryIso2 / languageIso2 when they are valid codes. */
  countryIso2: string | null;
  languageIso2: string | null;
}

/** The body as its schema admits it. */
interface FeatureBody {
  featureName: string;
  distinct_id?: string | number | null;
  predict_id?: string | number | null;
  propOverrides?: Record<string, unknown> | null;
}

function triggerOf(featureName: string): string | null {
  if (!featureName.startsWith(SPECIAL_OFFER_PREFIX)) return null;
  const trigger = featureName.slice(SPECIAL_OFFER_PREFIX.length).toLowerCase();
  return TRIGGER.test(trigger) ? trigger : null;
}

/**
 * `[0].featureName` → `featureName`: the body is one request, its list only a wrapper. A
 * longer list is one problem of the body, whatever its items hold.
 */
function unwrapped(problems: FieldProblem[]): FieldProblem[] {
  const byField = new Map<string, FieldProblem>();
  for (const p of problems) {
    if (/^\[[1-9]/.test(p.field)) continue;
    const field = p.field.replace(/^\[0\]\.?/, '') || 'body';
    if (!byField.has(field)) byField.set(field, { ...p, field });
  }
  return [...byField.values()];
}

/** What the schema cannot say: how deep the context nests. */
function depthProblems(body: unknown): FieldProblem[] {
  const first: unknown = Array.isArray(body) ? body[0] : null;
  return isPlainObject(first) && nestsDeeperThan(first.propOverrides, MAX_VALUE_DEPTH)
    ? [{ field: 'propOverrides', message: `nests deeper than ${MAX_VALUE_DEPTH} levels` }]
    : [];
}

const code = (v: unknown, canonical: (s: string) => string | null) =>
  typeof v === 'string' ? canonical(v) : null;

/**
 * /feature bodies, validated against `featureBodySchema` (compiled once per parser): the
 * node SDK posts a bare object (`jsonObjectRequest`: get_feature's
 * `{featureName, distinct_id, predict_id, propOverrides}`, getSpecialOffer's without
 * propOverrides); a list of one such object is accepted too. Throws a 400 INVALID_INPUT
 * naming every bad field.
 */
export class FeatureRequestParser {
  readonly #schema: RequestSchema<[FeatureBody]>;

  constructor() {
    this.#schema = new RequestSchemas().compile(featureBodySchema, { messages: featureBodyMessages });
  }

  parse(body: unknown): FeatureRequest {
    const list = asList(body) ?? body;
    const problems = [...unwrapped(this.#schema.problems(list)), ...depthProblems(list)];
    if (problems.length > 0) throw invalidInput(problems);
    const [item] = list as [FeatureBody];
    const overrides = item.propOverrides ?? {};
    return {
      featureName: item.featureName,
      trigger: triggerOf(item.featureName),
      distinctId: idText(item.distinct_id),
      predictId: idText(item.predict_id),
      context: overrides,
      getFeature: Object.hasOwn(item, 'propOverrides'),
      countryIso2: code(overrides.countryIso2, toCountryCode),
      languageIso2: code(overrides.languageIso2, toLanguageCode),
    };
  }
}
