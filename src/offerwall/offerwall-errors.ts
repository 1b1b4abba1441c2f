/**
 * Why an offerwall use case refused, as the service says it: a stable name and the words
 * for a person, no HTTP. The routes give each its status through the error catalogue
 * (offerwall-http-errors.ts).
 */
export type OfferwallFailure =
  | 'WALL_NOT_FOUND'
  | 'OFFER_NOT_FOUND'
  | 'UNKNOWN_EVENT'
  | 'INVALID_SIGNATURE'
  | 'LINK_EXPIRED'
  | 'TRANSACTION_CONFLICT'
  | 'USER_BANNED'
  | 'IP_BANNED'
  | 'BAN_NOT_FOUND';

export class OfferwallError extends Error {
  constructor(
    readonly failure: OfferwallFailure,
    message: string,
    /** The request field at fault, when one is. */
    readonly field?: { field: string; message: string },
  ) {
    super(message);
    this.name = 'OfferwallError';
  }
}
