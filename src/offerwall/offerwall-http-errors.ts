import { AppError } from '../http/app-error.js';
import type { ErrorCode } from '../http/error-catalogue.js';
import { OfferwallError, type OfferwallFailure } from './offerwall-errors.js';

/** Each failure of the offerwall service as a catalogue code (its status comes from there). */
const CODES = {
  WALL_NOT_FOUND: 'WALL_NOT_FOUND',
  OFFER_NOT_FOUND: 'OFFER_NOT_FOUND',
  // A postback's event the offer does not have: a bad parameter, in the vendor's word.
  UNKNOWN_EVENT: 'INVALID_PARAMETER',
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  LINK_EXPIRED: 'LINK_EXPIRED',
  TRANSACTION_CONFLICT: 'TRANSACTION_CONFLICT',
  USER_BANNED: 'USER_BANNED',
  IP_BANNED: 'IP_BANNED',
  BAN_NOT_FOUND: 'BAN_NOT_FOUND',
} as const satisfies Record<OfferwallFailure, ErrorCode>;

/** An offerwall service error as the HTTP error it is; anything else unchanged. */
export function offerwallHttpError(err: unknown): unknown {
  if (!(err instanceof OfferwallError)) return err;
  return new AppError(CODES[err.failure], err.message, err.field ? [err.field] : []);
}

type Handler<C> = (ctx: C) => Promise<void> | void;

/** A route handler whose service errors reach the client as catalogue errors. */
export function mapped<C>(handler: Handler<C>): (ctx: C) => Promise<void> {
  return async (ctx) => {
    try {
      await handler(ctx);
    } catch (err) {
      throw offerwallHttpError(err);
    }
  };
}
