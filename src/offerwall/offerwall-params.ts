import { isIP } from 'node:net';
import { AppError, type FieldProblem } from '../http/app-error.js';
import type { Platform } from './domain/offer.js';
import { CLICK_GROUP } from './domain/signatures.js';

type Query = Record<string, string | string[] | undefined>;

/** Printable ASCII without spaces' neighbours that could split a signed field (newline, tab). */
const ASCII = /^[\x20-\x7e]+$/;
const INTEGER = /^[0-9]+$/;
const NUMBER = /^[0-9]+(\.[0-9]+)?$/;
const VERSION = /^[0-9]+(\.[0-9]+){0,2}$/;
/** A positive integer as offerd writes one: no sign, no leading zero, at most 16 digits. */
const ID = /^[1-9][0-9]{0,15}$/;

/** Reads query parameters and collects every problem, so one 400 names them all. */
class Params {
  readonly problems: FieldProblem[] = [];

  constructor(private readonly query: Query) {}

  problem(field: string, message: string): undefined {
    this.problems.push({ field, message });
    return undefined;
  }

  raw(name: string, required = false): string | undefined {
    const v = this.query[name];
    if (Array.isArray(v)) return this.problem(name, `${name} must be given once`);
    if (v === undefined || v === '') return required ? this.problem(name, `${name} is required`) : undefined;
    return v;
  }

  integer(name: string, min: number, max: number, required = false): number | undefined {
    const v = this.raw(name, required);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!INTEGER.test(v) || n < min || n > max) {
      return this.problem(name, `${name} must be an integer from ${min} to ${max}`);
    }
    return n;
  }

  text(name: string, maxLength: number, required = false): string | undefined {
    const v = this.raw(name, required);
    if (v === undefined) return undefined;
    if (v.length > maxLength || !ASCII.test(v)) {
      return this.problem(name, `${name} must be printable ASCII of at most ${maxLength} characters`);
    }
    return v;
  }

  /**
   * Comma-separated distinct positive integers (at most `max` of them, each at most
   * MAX_SAFE_INTEGER), written as offerd writes them: nothing else, not even a space.
   */
  idList(name: string, max: number): number[] | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const bad = () =>
      this.problem(name, `${name} must be 1 to ${max} distinct offer ids separated by commas`);
    // 16 digits and a comma per id: a longer value is refused before it is split.
    if (v.length > 17 * max) return bad();
    const parts = v.split(',');
    if (parts.length > max) return bad();
    const ids: number[] = [];
    for (const part of parts) {
      const id = Number(part);
      if (!ID.test(part) || id > Number.MAX_SAFE_INTEGER || ids.includes(id)) return bad();
      ids.push(id);
    }
    return ids;
  }

  number(name: string): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    return NUMBER.test(v) && Number.isFinite(Number(v))
      ? Number(v)
      : this.problem(name, `${name} must be a number`);
  }

  fail(): never {
    throw invalidParameter(this.problems);
  }
}

export function invalidParameter(problems: FieldProblem[]): AppError {
  return new AppError(
    400,
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

const MAX_WALL = 2 ** 31 - 1;

/** Validates `GET /api/v1/users/{uid}/personalized`; every problem is a 400 INVALID_PARAMETER naming it. */
export function parsePersonalizedQuery(uid: string, query: Query): PersonalizedQuery {
  const p = new Params(query);
  if (uid === '' || uid.length > 128 || !ASCII.test(uid)) {
    p.problem('uid', 'uid must be printable ASCII of 1 to 128 characters');
  }
  const wall = p.integer('wall', 1, MAX_WALL, true);
  const numoffers = p.integer('numoffers', 1, 500, true);
  const sid3 = p.text('sid3', 256);
  const deviceRaw = p.raw('device');
  let device: Platform | undefined;
  if (deviceRaw === 'desktop' || deviceRaw === 'ios' || deviceRaw === 'android') device = deviceRaw;
  else if (deviceRaw !== undefined) p.problem('device', 'device must be one of desktop, ios, android');
  const ip = p.raw('ip');
  if (ip !== undefined && isIP(ip) !== 4) p.problem('ip', 'ip must be an IPv4 address');
  const os = p.raw('os_version');
  if (os !== undefined && !VERSION.test(os))
    p.problem('os_version', 'os_version must be a number such as 17.1');
  const sortRaw = p.raw('include_sortmetric');
  if (sortRaw !== undefined && sortRaw !== 'true' && sortRaw !== 'false') {
    p.problem('include_sortmetric', 'include_sortmetric must be true or false');
  }
  const bidFloor = p.number('bid_floor');
  const experimentId = p.text('experiment_id', 128);
  if (p.problems.length > 0) p.fail();
  return {
    uid,
    wall: wall as number,
    numoffers: numoffers as number,
    sid3: sid3 ?? null,
    device: device ?? null,
    ip: ip ?? null,
    osVersion: os ?? null,
    includeSortmetric: sortRaw === 'true',
    bidFloor: bidFloor ?? null,
    experimentId: experimentId ?? null,
  };
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

/** 9999-12-31T23:59:59Z: any later `exp` is no link of ours. */
const MAX_EXP = 253_402_300_799;

export function parseClickQuery(query: Query): ClickQuery {
  const p = new Params(query);
  const wall = p.integer('wall', 1, MAX_WALL, true);
  const uid = p.text('uid', 128, true);
  const offer = p.integer('offer', 1, Number.MAX_SAFE_INTEGER, true);
  const offers = p.idList('offers', CLICK_GROUP);
  const sid3 = p.text('sid3', 256);
  const exp = p.integer('exp', 0, MAX_EXP);
  const sig = p.text('sig', 128, true);
  if (p.problems.length > 0) p.fail();
  return {
    wall: wall as number,
    uid: uid as string,
    offer: offer as number,
    offers: offers ?? null,
    sid3: sid3 ?? null,
    exp: exp ?? null,
    sig: sig as string,
  };
}

export interface PostbackQuery {
  wall: number;
  uid: string;
  offer: number;
  event: string;
  transactionId: string;
  sig: string;
}

/** Postbacks may come as a query string or a JSON body of strings; both are read the same way. */
export function parsePostback(query: Query, body: unknown): PostbackQuery {
  const merged: Query = { ...query };
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const [k, v] of Object.entries(body)) {
      if (typeof v === 'string' || typeof v === 'number') merged[k] = String(v);
    }
  }
  const p = new Params(merged);
  const wall = p.integer('wall', 1, MAX_WALL, true);
  const uid = p.text('uid', 128, true);
  const offer = p.integer('offer', 1, Number.MAX_SAFE_INTEGER, true);
  const event = p.text('event', 64, true);
  const transactionId = p.text('transaction_id', 128, true);
  const sig = p.text('sig', 128, true);
  if (p.problems.length > 0) p.fail();
  return {
    wall: wall as number,
    uid: uid as string,
    offer: offer as number,
    event: event as string,
    transactionId: transactionId as string,
    sig: sig as string,
  };
}

export interface BanInput {
  type: 'user' | 'ip';
  value: string;
  wallId: number | null;
  reason: string;
}

/**
 * Validates `POST /admin/apps/{appId}/bans`. `isAddressRange` says whether a value is
 * an IP address or CIDR range; `walls` are the app's wall ids.
 */
export function parseBanBody(
  body: unknown,
  walls: readonly number[],
  isAddressRange: (value: string) => boolean,
): BanInput {
  const problems: FieldProblem[] = [];
  const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const { type, value, wallId, reason } = b;
  if (type !== 'user' && type !== 'ip') problems.push({ field: 'type', message: 'type must be user or ip' });
  if (typeof value !== 'string' || value === '' || value.length > 128 || !ASCII.test(value)) {
    problems.push({ field: 'value', message: 'value must be a uid, or an IP address or CIDR range' });
  } else if (type === 'ip' && !isAddressRange(value)) {
    problems.push({ field: 'value', message: `'${value}' is not an IP address or CIDR range` });
  }
  if (wallId !== undefined && wallId !== null && !(typeof wallId === 'number' && walls.includes(wallId))) {
    problems.push({
      field: 'wallId',
      message: `wallId must be one of this app's walls (${walls.join(', ')})`,
    });
  }
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 500) {
    problems.push({
      field: 'reason',
      message: 'reason must be a non-empty string of at most 500 characters',
    });
  }
  if (problems.length > 0) throw new AppError(400, 'INVALID_INPUT', 'Invalid input', problems);
  return {
    type: type as BanInput['type'],
    value: value as string,
    wallId: typeof wallId === 'number' ? wallId : null,
    reason: reason as string,
  };
}
