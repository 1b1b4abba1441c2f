/**
 * Every error code offerd answers with, across all APIs: one code per meaning, its HTTP
 * status and what it means. `AppError` takes only these codes (a type error otherwise),
 * so a new code is added here first, with its status, and documented in docs/.
 *
 * How a code reaches the client depends on the API's envelope (api-family.ts): banner,
 * offerwall and admin show it; /track answers `0`; journeys shows the HTTP status as its
 * vendor does.
 */
export const ERROR_CATALOGUE = {
  // The request itself
  INVALID_INPUT: { status: 400, meaning: 'a body or query field is invalid; `fields` names each' },
  INVALID_PARAMETER: {
    status: 400,
    meaning: 'the offerwall API’s INVALID_INPUT, in its vendor’s word (the RevU contract)',
  },
  BAD_REQUEST: {
    status: 400,
    meaning:
      'a request that is not valid HTTP, or another client error a library raised (malformed JSON is `INVALID_INPUT`, field `body`)',
  },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'the body is over http.bodyLimit' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    meaning: 'a body that is not JSON, declared in a charset other than UTF-8, or in an unsupported encoding',
  },
  REQUEST_TIMEOUT: { status: 408, meaning: 'the request was not received in time' },
  EXPECTATION_FAILED: { status: 417, meaning: 'an Expect other than 100-continue' },
  NOT_IMPLEMENTED: { status: 501, meaning: 'a body in a Transfer-Encoding other than chunked' },
  HEADERS_TOO_LARGE: { status: 431, meaning: 'request headers over 16 KB' },
  NOT_FOUND: { status: 404, meaning: 'no route has this path' },
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'the path exists, not with this method (`Allow` lists them)' },
  // Who is calling
  MISSING_API_KEY: { status: 401, meaning: 'no API key was sent' },
  INVALID_API_KEY: { status: 401, meaning: 'the API key is not one of any app' },
  API_KEY_REVOKED: { status: 403, meaning: 'the API key was revoked' },
  APP_NOT_ACTIVE: { status: 403, meaning: 'the key’s app is disabled' },
  API_NOT_ALLOWED: { status: 403, meaning: 'the key may not call this API' },
  UNAUTHORIZED: { status: 401, meaning: 'admin: no admin token, or more than one Authorization header' },
  FORBIDDEN: { status: 403, meaning: 'admin: the admin token is not valid' },
  // The app and its rules
  APP_NOT_FOUND: { status: 404, meaning: 'no configured app has this id (or it lacks what was asked for)' },
  RULES_NOT_READY: { status: 503, meaning: 'no valid rules have been loaded for the app yet' },
  STORE_UNAVAILABLE: {
    status: 503,
    meaning:
      'the database is unreachable, restarting or too slow, or the data dir’s disk is full or read-only: retry',
  },
  API_NOT_CONFIGURED: {
    status: 503,
    meaning: 'the app’s rules have no section for this API (Banner, Journeys)',
  },
  INVALID_RULES: {
    status: 422,
    meaning: 'admin impact: the candidate rules do not load; `fields` gives each problem as file:line:col',
  },
  SNAPSHOT_NOT_FOUND: {
    status: 404,
    meaning: 'admin: no rules snapshot with this hash in the app’s history',
  },
  // What the APIs keep
  USER_NOT_FOUND: {
    status: 404,
    meaning: 'no stored user with this id (journeys externalId; admin explain)',
  },
  OFFER_NOT_FOUND: {
    status: 404,
    meaning: 'no such offer (the wall’s catalog, or the user’s journeys offers)',
  },
  OFFER_NOT_ACTIVE: { status: 400, meaning: 'journeys: the offer was claimed or withdrawn' },
  OFFER_EXPIRED: { status: 400, meaning: 'journeys: the offer is past its expiry' },
  EXPERIMENT_NOT_FOUND: { status: 404, meaning: 'banner admin: the app’s rules have no such experiment' },
  WALL_NOT_FOUND: { status: 404, meaning: 'offerwall: no wall with this id (or no catalog for it)' },
  NO_ELIGIBLE_OFFERS: { status: 404, meaning: 'offerwall: no offer is eligible for this user now' },
  USER_BANNED: { status: 403, meaning: 'offerwall: the user is banned' },
  IP_BANNED: { status: 403, meaning: 'offerwall: the caller’s IP address is banned' },
  INVALID_SIGNATURE: { status: 403, meaning: 'offerwall: a click link or postback signature does not match' },
  LINK_EXPIRED: { status: 410, meaning: 'offerwall: a click link of ours, past its expiry' },
  TRANSACTION_CONFLICT: {
    status: 409,
    meaning: 'offerwall: a transaction_id already used for another user, offer or event',
  },
  BAN_NOT_FOUND: { status: 404, meaning: 'offerwall admin: the app has no ban with this id' },
  NO_FEED: { status: 409, meaning: 'offerwall admin: the app (or wall) has no catalog feed to sync' },
  // Ours
  INTERNAL: { status: 500, meaning: 'an unexpected error; logged with the request id, nothing leaked' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The HTTP status of `code`. */
export const statusOf = (code: ErrorCode): number => ERROR_CATALOGUE[code].status;
