/**
 * The request schemas of the Kibotu SDKs' /engage, /groups and /feature (JSON Schema draft
 * 2020-12): written once, validated with ajv (engage-request.ts, feature-request.ts) and
 * published in the API reference. They describe the wire as both SDKs send it: the node
 * SDK spells reserved names `$set`, the Unity SDK `_kb_set`. What a schema cannot say (how
 * deep a value nests) is checked next to where it is read.
 */
import type { SchemaMessages } from '../../http/request-schema.js';
import { text, textMessages, UNSAFE_NUMBER } from '../banner-schemas.js';
import {
  MAX_LIST_ITEMS,
  MAX_PROFILE_BYTES,
  MAX_PROFILE_VALUES,
  MAX_PROPERTIES,
} from '../domain/profile-ops.js';

/** The SDKs chunk profile updates by 50, as they do events. */
export const MAX_PROFILE_UPDATES = 50;
/** Levels a profile value (or propOverrides) may nest; the banner context allows as many. */
export const MAX_VALUE_DEPTH = 8;
/** `getSpecialOffer(trigger, …)` asks for the feature `special_offer_on_<trigger>`. */
export const SPECIAL_OFFER_PREFIX = 'special_offer_on_';

/** Both SDKs' spelling of one reserved name: `$x` (node, Mixpanel) and `_kb_x` (Unity). */
export const spellings = (name: string): [string, string] => [`$${name}`, `_kb_${name}`];

export const ID = text(256, 'An id: a string, or a number taken as its decimal text.', ['number']);
/** An id a client may leave empty: '' and null are absent. */
export const optionalId = (description: string) => ({ description, anyOf: [{ enum: ['', null] }, ID] });
const PROPERTY_NAME = text(255, 'A profile property name.');

/** Valid when one of `names` holds an id; else the first is the one reported missing. */
function oneIdOf(names: readonly string[]) {
  const [first = '', ...others] = names;
  return {
    if: { anyOf: others.map((name) => ({ required: [name], properties: { [name]: ID } })) },
    else: { required: [first], properties: { [first]: ID } },
  };
}

const values = (description: string, value?: object) => ({
  type: 'object',
  description,
  propertyNames: PROPERTY_NAME,
  ...(value ? { additionalProperties: value } : {}),
});
const SCALAR = { type: ['string', 'number', 'boolean'] } as const;

/** The profile operations, in the order an update applies them (`$delete` last, so it wins). */
const OPERATIONS = {
  set: values('Properties to set, any JSON value each.'),
  set_once: values('Properties to set where the profile has none yet.'),
  add: values('Numbers to add to numeric properties (a non-numeric one starts from 0).', { type: 'number' }),
  append: values('Values to append to list properties.'),
  union: values('Values to merge into list properties without duplicates; one value is a list of one.', {
    ...SCALAR,
    type: ['string', 'number', 'boolean', 'array'],
    items: SCALAR,
  }),
  remove: values('Values to remove from list properties.', SCALAR),
  unset: {
    ...PROPERTY_NAME,
    type: ['string', 'array'],
    description:
      'Property names to remove (one name is a list of one); a `_kb_x` name is `$x`, as keys are (Unity’s ClearCharges unsets `_kb_transactions`).',
    items: PROPERTY_NAME,
  },
  delete: { description: 'Any value (the node SDK sends ""): deletes the whole profile.' },
} as const;

/** The operation names in the order they apply, `$` spelling. */
export const PROFILE_OPERATIONS = Object.keys(OPERATIONS).map((name) => `$${name}`);

const OPERATION_PROPERTIES = Object.fromEntries(
  Object.entries(OPERATIONS).flatMap(([name, schema]) => spellings(name).map((key) => [key, schema])),
);

const AT_LEAST_ONE_OPERATION = {
  description: 'At least one operation.',
  if: {
    anyOf: Object.keys(OPERATION_PROPERTIES).map((key) => ({ required: [key], properties: { [key]: true } })),
  },
  else: false,
};

const MODIFIERS =
  'Other keys (modifiers such as `$ip`, `$time`, `$ignore_time`, `$ignore_alias`, `$latitude`, `$token`, `_kb_metadata`) are accepted and ignored.';

/** One update of a user profile (/engage). */
export const profileUpdateSchema = {
  title: 'User profile update',
  description: `The user is \`$distinct_id\` (node SDK), \`_kb_distinct_id\` or \`distinct_id\` (Unity SDK), the first that holds an id. ${MODIFIERS}`,
  type: 'object',
  properties: {
    $distinct_id: optionalId('The user (node SDK).'),
    _kb_distinct_id: optionalId('The user (Unity SDK).'),
    distinct_id: optionalId('The user (Unity SDK).'),
    ...OPERATION_PROPERTIES,
  },
  allOf: [oneIdOf(['$distinct_id', '_kb_distinct_id', 'distinct_id']), AT_LEAST_ONE_OPERATION],
} as const;

/** One update of a group profile (/groups): the group is its key and id. */
export const groupUpdateSchema = {
  title: 'Group profile update',
  description: `The group is \`$group_key\` + \`$group_id\` (or \`_kb_group_key\` + \`_kb_group_id\`). ${MODIFIERS}`,
  type: 'object',
  properties: {
    ...Object.fromEntries(
      spellings('group_key').map((key) => [key, optionalId('The kind of group, e.g. guild.')]),
    ),
    ...Object.fromEntries(spellings('group_id').map((key) => [key, optionalId('The group.')])),
    ...OPERATION_PROPERTIES,
  },
  allOf: [oneIdOf(spellings('group_key')), oneIdOf(spellings('group_id')), AT_LEAST_ONE_OPERATION],
} as const;

const updates = <T extends object>(title: string, items: T) =>
  ({
    title,
    description: `At most ${MAX_PROFILE_UPDATES} updates; a single update object is a batch of one. Each update is checked alone: a bad one is named (by index) in the reply and the others apply. Property values nest at most ${MAX_VALUE_DEPTH} levels. A profile holds at most ${MAX_PROPERTIES} properties, ${MAX_PROFILE_BYTES} bytes of JSON and ${MAX_PROFILE_VALUES} JSON values (every object, array and scalar counts one); lists keep their newest ${MAX_LIST_ITEMS} items.`,
    type: 'array',
    maxItems: MAX_PROFILE_UPDATES,
    items,
  }) as const;

/** `POST /engage`: the SDKs' `people.*` calls. */
export const profileUpdatesSchema = updates('User profile updates', profileUpdateSchema);
/** `POST /groups`: the node SDK's `groups.*` calls. */
export const groupUpdatesSchema = updates('Group profile updates', groupUpdateSchema);

const ID_MESSAGE = `must be an id: a number within ±${Number.MAX_SAFE_INTEGER} (JSON rounds larger ones: send them as strings), or a string of at most 256 characters without control or invisible characters`;
export const idMessages = {
  ...Object.fromEntries(
    ['enum', 'anyOf', 'type', 'minLength', 'maxLength', 'pattern', 'format'].map((k) => [k, ID_MESSAGE]),
  ),
  minimum: UNSAFE_NUMBER,
  maximum: UNSAFE_NUMBER,
  required: 'is required (an id of at most 256 characters)',
};
const NAME_MESSAGE =
  'must hold property names of at most 255 characters without control or invisible characters';
const nameMessages = (type: string) => ({
  type,
  propertyNames: NAME_MESSAGE,
  ...Object.fromEntries(['minLength', 'maxLength', 'pattern', 'format'].map((k) => [k, NAME_MESSAGE])),
});
const SCALAR_MESSAGE = 'must be a string, a number or a boolean';

/** The messages of one operation under both spellings (`[].$add`, `[]._kb_add`). */
function operationMessages(name: string, own: Record<string, string | Record<string, string>>) {
  return Object.fromEntries(
    spellings(name).flatMap((key) => Object.entries(own).map(([suffix, m]) => [`[].${key}${suffix}`, m])),
  );
}

const OBJECT_OF_VALUES = 'must be an object of property names to values';
const updateMessages = (ids: readonly string[]): SchemaMessages => ({
  body: {
    type: 'must be a JSON array of profile updates',
    maxItems: `at most ${MAX_PROFILE_UPDATES} updates per batch`,
  },
  '[]': {
    type: 'must be an object',
    'false schema': `no operation (one of ${PROFILE_OPERATIONS.join(', ')})`,
  },
  ...Object.fromEntries(ids.map((id) => [`[].${id}`, idMessages])),
  ...operationMessages('set', { '': nameMessages(OBJECT_OF_VALUES) }),
  ...operationMessages('set_once', { '': nameMessages(OBJECT_OF_VALUES) }),
  ...operationMessages('append', { '': nameMessages(OBJECT_OF_VALUES) }),
  ...operationMessages('add', { '': nameMessages(OBJECT_OF_VALUES), '.*': 'must be a number' }),
  ...operationMessages('remove', { '': nameMessages(OBJECT_OF_VALUES), '.*': SCALAR_MESSAGE }),
  ...operationMessages('union', {
    '': nameMessages(OBJECT_OF_VALUES),
    '.*': `${SCALAR_MESSAGE}, or a list of them`,
    '.*[]': SCALAR_MESSAGE,
  }),
  ...operationMessages('unset', { '': nameMessages('must be a list of property names'), '[]': NAME_MESSAGE }),
});

export const profileUpdatesMessages = updateMessages(['$distinct_id', '_kb_distinct_id', 'distinct_id']);
export const groupUpdatesMessages = updateMessages([...spellings('group_key'), ...spellings('group_id')]);

/** One `get_feature` / `getSpecialOffer` request. */
export const featureRequestSchema = {
  title: 'Feature request',
  type: 'object',
  required: ['featureName'],
  properties: {
    featureName: {
      title: 'Feature name',
      ...text(200, `The feature asked for; \`${SPECIAL_OFFER_PREFIX}<trigger>\` asks for a special offer.`),
    },
    distinct_id: { title: 'User', ...optionalId('The user; required for a special offer.') },
    predict_id: { title: 'Prediction id', ...optionalId('Echoed in the offer’s kibotuMetadata.predictId.') },
    propOverrides: {
      title: 'Context',
      description: `get_feature’s propOverrides: the rules’ \`context\` fact, nested at most ${MAX_VALUE_DEPTH} levels; a valid \`countryIso2\` / \`languageIso2\` in it sets the request’s.`,
      type: ['object', 'null'],
    },
  },
  if: {
    required: ['featureName'],
    properties: { featureName: { type: 'string', pattern: `^${SPECIAL_OFFER_PREFIX}` } },
  },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, never awaited
  then: { required: ['distinct_id'], properties: { distinct_id: ID } },
} as const;

/**
 * `POST /feature`: one request. The node SDK posts it as a bare object (`jsonObjectRequest`),
 * which the parser takes as a list of one; a list of one is accepted as it is.
 */
export const featureBodySchema = {
  title: 'Feature request (in a list of one)',
  description:
    'One request, in a list of one or bare: the node SDK posts the bare object `{featureName, distinct_id, predict_id, propOverrides?}` (get_feature sends `propOverrides`, getSpecialOffer never does), which is taken as a list of one.',
  type: 'array',
  minItems: 1,
  maxItems: 1,
  items: featureRequestSchema,
} as const;

const ONE_OBJECT = 'must be a JSON object (or a list of one)';
export const featureBodyMessages: SchemaMessages = {
  body: { type: ONE_OBJECT, minItems: ONE_OBJECT, maxItems: ONE_OBJECT },
  '[]': { type: ONE_OBJECT },
  '[].featureName': textMessages(200),
  '[].distinct_id': idMessages,
  '[].predict_id': idMessages,
  '[].propOverrides': 'must be an object',
};
