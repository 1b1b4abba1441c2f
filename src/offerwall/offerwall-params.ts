import { isIPv4 } from 'node:net';
import { canonicalRange } from '../http/address-range.js';
import { AppError, type FieldProblem } from '../http/app-error.js';
import { addressSet, inSet } from '../http/client-ip.js';
import { type RequestSchema, RequestSchemas } from '../http/request-schema.js';
import type { Platform } from './domain/offer.js';
import {
  banBodyMessages,
  banBodySchema,
  catalogSyncQueryMessages,
  catalogSyncQuerySchema,
  clickQueryMessages,
  clickQuerySchema,
  personalizedMessages,
  personalizedPathSchema,
  personalizedQuerySchema,
  postbackMessages,
  postbackSchema,
} from './offerwall-schemas.js';

type Query = Record<string, string | string[] | undefined>;

export function invalidParameter(problems: FieldProblem[]): AppError {
  return new AppError(
    'INVALID_PARAMETER',
    `Invalid parameter: ${problems.map((p) => p.message).join('; ')}`,
    problems,
  );
}

export interface PersonalizedQuery {
  uid: string;
  wall: number;
  numoffers: number;
  sid3: string | null;
  device: Platform | null;
  ip: string | null;
  osVersion: string | null;
  includeSortmetric: boolean;
  bidFloor: number | null;
  experimentId: string | null;
}

export interface ClickQuery {
  wall: number;
  uid: string;
  offer: number;
  /** The offer ids of the link's group (its signature covers them); null on a legacy link. */
  offers: number[] | null;
  sid3: string | null;
  /** Unix seconds from which the link is refused; null on a legacy link (signed before links expired). */
  exp: number | null;
  sig: string;
}

export interface PostbackQuery {
  wall: number;
  uid: string;
  offer: number;
  event: string;
  transactionId: string;
  sig: string;
}

export interface BanInput {
  type: 'user' | 'ip';
  value: string;
  wallId: number | null;
  reason: string;
}

/**
 * Who a personalized request is for, read before the rest of its query is checked: a
 * ban is the vendor's "definitive" answer, so it wins over any other bad parameter.
 */
export interface BanSubjectQuery {
  uid: string;
  wall: number;
  /** The `ip` parameter when it is one IPv4 address; undefined when absent; null when unreadable. */
  ip: string | null | undefined;
}

/** The personalized query as its schema admits it (the query string's names). */
interface PersonalizedValues {
  uid: string;
  wall: number;
  numoffers: number;
  sid3?: string;
  device?: Platform;
  ip?: string;
  os_version?: string;
  include_sortmetric?: boolean;
  bid_floor?: number;
  experiment_id?: string;
}

type ClickValues = Omit<ClickQuery, 'offers' | 'sid3' | 'exp'> & {
  offers?: string;
  sid3?: string;
  exp?: number;
};
type PostbackValues = Omit<PostbackQuery, 'transactionId'> & { transaction_id: string };
type BanValues = { type: BanInput['type']; value: string; wallId?: number | null; reason: string };

/**
 * The widest IP ban: a /8 of IPv4, a /32 of IPv6 (an ISP's allocation). `10.0.0.0/0` was
 * accepted and banned every caller (hostile probe); a range that wide is a typo, never a
 * ban meant.
 */
const MIN_PREFIX = { ipv4: 8, ipv6: 32 } as const;

/**
 * Whether a valid address or CIDR range covers more than MIN_PREFIX allows. An IPv6 range
 * also matches IPv4 callers through the mapped block `::ffff:0:0/96` (`::/32` and
 * `::ffff:0:0/96` each banned every IPv4 caller), so every range is also held to the IPv4
 * bound: a block wider than /8 holds both addresses of some pair 2k.0.0.0, (2k+1).0.0.0; a
 * block of /8 or narrower lies within one first octet.
 */
function tooWide(range: string): boolean {
  const [addr = '', bits] = range.split('/');
  if (bits === undefined) return false;
  if (addr.includes(':') && Number(bits) < MIN_PREFIX.ipv6) return true;
  const set = addressSet([range]);
  for (let k = 0; k < 128; k++) {
    if (inSet(set, `${2 * k}.0.0.0`) && inSet(set, `${2 * k + 1}.0.0.0`)) return true;
  }
  return false;
}

/** The comma-separated ids of a click link's group, or null when one is repeated. */
function distinctIds(list: string): number[] | null {
  const ids = list.split(',').map(Number);
  return new Set(ids).size === ids.length && ids.every((id) => id <= Number.MAX_SAFE_INTEGER) ? ids : null;
}

/** Postbacks may come as a query string or a JSON body of strings; both are read the same way. */
function postbackQuery(query: Query, body: unknown): Query {
  const merged: Query = { ...query };
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const [k, v] of Object.entries(body)) {
      if (typeof v === 'string' || typeof v === 'number') merged[k] = String(v);
    }
  }
  return merged;
}

/**
 * The offerwall's request validation against offerwall-schemas.ts, each schema compiled
 * once per instance. A bad query is a 400 INVALID_PARAMETER naming every parameter, in
 * the words `wall must be an integer from 1 to …` (the vendor's style); a bad ban body
 * is an admin 400 INVALID_INPUT.
 */
export class OfferwallParams {
  readonly #personalized: RequestSchema<PersonalizedValues>;
  readonly #click: RequestSchema<ClickValues>;
  readonly #postback: RequestSchema<PostbackValues>;
  readonly #ban: RequestSchema<BanValues>;
  readonly #sync: RequestSchema<{ wall?: number }>;
  readonly #banSubject: RequestSchema<{ uid: string; wall: number }>;

  constructor() {
    const schemas = new RequestSchemas();
    const merged = {
      ...personalizedQuerySchema,
      required: [...personalizedPathSchema.required, ...personalizedQuerySchema.required],
      properties: { ...personalizedPathSchema.properties, ...personalizedQuerySchema.properties },
    };
    const named = (messages: typeof personalizedMessages) => ({ messages, nameInMessage: true });
    this.#personalized = schemas.compile(merged, named(personalizedMessages));
    this.#click = schemas.compile(clickQuerySchema, named(clickQueryMessages));
    this.#postback = schemas.compile(postbackSchema, named(postbackMessages));
    this.#ban = schemas.compile(banBodySchema, named(banBodyMessages));
    this.#sync = schemas.compile(catalogSyncQuerySchema, named(catalogSyncQueryMessages));
    this.#banSubject = schemas.compile(
      {
        type: 'object',
        required: ['uid', 'wall'],
        properties: {
          uid: personalizedPathSchema.properties.uid,
          wall: personalizedQuerySchema.properties.wall,
        },
      },
      named(personalizedMessages),
    );
  }

  /** `GET /api/v1/users/{uid}/personalized`. */
  personalized(uid: string, query: Query): PersonalizedQuery {
    const q = this.#query(this.#personalized, query, { uid });
    return {
      uid: q.uid,
      wall: q.wall,
      numoffers: q.numoffers,
      sid3: q.sid3 ?? null,
      device: q.device ?? null,
      ip: q.ip ?? null,
      osVersion: q.os_version ?? null,
      includeSortmetric: q.include_sortmetric === true,
      bidFloor: q.bid_floor ?? null,
      experimentId: q.experiment_id ?? null,
    };
  }

  /** The user, wall and address of a personalized request whose other parameters may be bad; null when uid or wall is. */
  banSubject(uid: string, query: Query): BanSubjectQuery | null {
    const checked = this.#banSubject.checkQuery({ wall: query.wall }, { uid });
    if (!checked.ok) return null;
    const { ip } = query;
    const address = ip === undefined ? undefined : typeof ip === 'string' && isIPv4(ip) ? ip : null;
    return { ...checked.value, ip: address };
  }

  /** `GET /api/v1/click`. */
  click(query: Query): ClickQuery {
    const q = this.#query(this.#click, query);
    const offers = q.offers === undefined ? null : distinctIds(q.offers);
    if (q.offers !== undefined && offers === null) {
      throw invalidParameter([this.#click.problem('offers', clickQueryMessages.offers as string)]);
    }
    return { ...q, offers, sid3: q.sid3 ?? null, exp: q.exp ?? null };
  }

  /** `GET|POST /api/v1/postback`. */
  postback(query: Query, body: unknown): PostbackQuery {
    const { transaction_id, ...q } = this.#query(this.#postback, postbackQuery(query, body));
    return { ...q, transactionId: transaction_id };
  }

  /**
   * `POST /admin/apps/{appId}/bans`. `isAddressRange` says whether a value is an IP
   * address or CIDR range; `walls` are the app's wall ids.
   */
  ban(body: unknown, walls: readonly number[], isAddressRange: (value: string) => boolean): BanInput {
    const b = body && typeof body === 'object' && !Array.isArray(body) ? body : {};
    const checked = this.#ban.check(b);
    const problems = checked.ok ? [] : checked.problems;
    const { type, value, wallId } = b as Partial<BanValues>;
    if (type === 'ip' && typeof value === 'string' && !problems.some((p) => p.field === 'value')) {
      if (!isAddressRange(value))
        problems.push({ field: 'value', message: `'${value}' is not an IP address or CIDR range` });
      // The stored spelling too: a parser that read a range wider than written must not widen a ban.
      else if (tooWide(value) || tooWide(canonicalRange(value)))
        problems.push({
          field: 'value',
          message: `'${value}' is wider than /${MIN_PREFIX.ipv4} (IPv4) or /${MIN_PREFIX.ipv6} (IPv6)`,
        });
    }
    // One problem per field: a wall id the schema refused (1.5) is not also an unknown wall.
    if (
      typeof wallId === 'number' &&
      !walls.includes(wallId) &&
      !problems.some((p) => p.field === 'wallId')
    ) {
      problems.push(this.#ban.problem('wallId', `must be one of this app's walls (${walls.join(', ')})`));
    }
    if (!checked.ok || problems.length > 0) {
      // In the body's field order, whichever check found them.
      const order: readonly string[] = Object.keys(banBodySchema.properties);
      problems.sort((x, y) => order.indexOf(x.field) - order.indexOf(y.field));
      throw new AppError('INVALID_INPUT', 'Invalid input', problems);
    }
    // An IP ban is stored in one spelling, so adding it again finds it (domain/bans.ts sameBan).
    const stored = checked.value.type === 'ip' ? canonicalRange(checked.value.value) : checked.value.value;
    return { ...checked.value, value: stored, wallId: checked.value.wallId ?? null };
  }

  /** `POST /admin/apps/{appId}/catalog/sync`: the wall to sync, if one is named. */
  syncWall(query: Query): number | undefined {
    const checked = this.#sync.checkQuery(query);
    if (!checked.ok) throw new AppError('INVALID_INPUT', 'Invalid input', checked.problems);
    return checked.value.wall;
  }

  /** A query (and `path` parameters) as the schema's typed values, or a 400 INVALID_PARAMETER naming every problem. */
  #query<T>(schema: RequestSchema<T>, query: Query, path: Record<string, string> = {}): T {
    const checked = schema.checkQuery(query, path);
    if (!checked.ok) throw invalidParameter(checked.problems);
    return checked.value;
  }
}
