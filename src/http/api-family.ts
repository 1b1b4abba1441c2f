import type { AppError } from './app-error.js';

/** The API families offerd speaks; each renders errors in its vendor's envelope. */
export type ApiFamily = 'banner' | 'offerwall' | 'journeys' | 'admin';

/** Renders an error body for `family`. `supportId` is the request id of this request. */
export function renderError(family: ApiFamily, err: AppError, supportId: number): unknown {
  switch (family) {
    case 'banner':
      // Kibotu: the body says "Invalid input" and names each offending field.
      return { message: err.message, code: err.code, errors: err.fields };
    case 'offerwall': {
      // RevU's envelope; `fields` (ours) lists each offending parameter when there are any.
      const fields = err.fields.length > 0 ? { fields: err.fields } : {};
      return {
        status: 'failure',
        error: { code: err.code, message: err.message, ...fields },
        support_id: supportId,
      };
    }
    case 'journeys':
      return {
        message: err.message,
        code: err.status,
        status: 'error',
        ...(err.fields.length > 0 ? { errors: err.fields } : {}),
      };
    case 'admin':
      return { error: { code: err.code, message: err.message, fields: err.fields }, requestId: supportId };
  }
}
