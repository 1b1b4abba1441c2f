import type { AppError } from './app-error.js';

/**
 * The API families offerd speaks; each renders errors in its vendor's envelope.
 * `neutral` is ours: /healthz, /readyz, /metrics and paths no API knows.
 */
export type ApiFamily = 'banner' | 'track' | 'offerwall' | 'journeys' | 'admin' | 'neutral';

/** What of the request a renderer may need besides the error. */
export interface RenderOptions {
  /** `verbose=1` in the query (the banner vendor's /track). */
  verbose?: boolean;
}

/** The vendor SDK's /track failure reply: `0`, or with verbose=1 `{status: 0, error}`. */
function renderTrackError(err: AppError, verbose: boolean): unknown {
  if (!verbose) return '0';
  const fields = err.fields.map((f) => `${f.field} ${f.message}`).join('; ');
  return { status: 0, error: fields ? `${err.message}: ${fields}` : err.message };
}

/** Refusals a resend of the same body cannot change: not JSON or shaped wrong (400), too large (413), not a JSON type or encoding (415). */
const RESEND_CANNOT_FIX = new Set([400, 413, 415]);

/**
 * The HTTP status an error is answered with in `family`: its own, except that the SDKs'
 * batch envelope (`track`) answers a refusal no resend can change with 200 and its `0`.
 * The Unity SDK resends a batch answered with anything but 2xx for ever (back-off up to
 * 10 minutes, kibotu-unity Controller.cs SendData) and holds back every later event and
 * profile update of the device meanwhile: a 413 batch of 50 large events, or a `NaN` the
 * SDK wrote, stopped a device's tracking for good (real-clients probe). The node SDK reads
 * only the body (`1` is success), so its callers see the same failure as before. 401, 403
 * and 503 stay: a key or a ban changed on the server, or a store back up, lets the resend in.
 */
export function statusFor(family: ApiFamily, err: AppError, method: string): number {
  // Only for what the SDKs send (POST): another method's body refused first is still a 4xx.
  return family === 'track' && method === 'POST' && RESEND_CANNOT_FIX.has(err.status) ? 200 : err.status;
}

/** Renders an error body for `family`. `supportId` is the request id of this request. */
export function renderError(
  family: ApiFamily,
  err: AppError,
  supportId: number,
  options: RenderOptions = {},
): unknown {
  switch (family) {
    case 'banner':
      // Kibotu: the body says "Invalid input" and names each offending field.
      return { message: err.message, code: err.code, errors: err.fields };
    case 'track':
      return renderTrackError(err, options.verbose === true);
    case 'offerwall': {
      // RevU's envelope; `fields` (ours) lists each offending parameter when there are any.
      const fields = err.fields.length > 0 ? { fields: err.fields } : {};
      // RevU's word for a bad field: the edge's checks (path, body) are shared by every API
      // and said INVALID_INPUT here, against the contract (hostile probe).
      const code = err.code === 'INVALID_INPUT' ? 'INVALID_PARAMETER' : err.code;
      return {
        status: 'failure',
        error: { code, message: err.message, ...fields },
        support_id: supportId,
      };
    }
    case 'journeys':
      return {
        // GamifyHost's docs word every validation failure "Invalid request body".
        message: err.message === 'Invalid input' ? 'Invalid request body' : err.message,
        code: err.status,
        status: 'error',
        ...(err.fields.length > 0 ? { errors: err.fields } : {}),
      };
    case 'admin':
    case 'neutral':
      return { error: { code: err.code, message: err.message, fields: err.fields }, requestId: supportId };
  }
}
