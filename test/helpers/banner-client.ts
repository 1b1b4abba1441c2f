import type { BannerResponse } from '../../src/banner/banner-render.js';
import type { TestService } from './start-test-service.js';

/** The demo app's banner key, as the vendor's SDKs send it (no scheme). */
export const DEMO_KEY = 'demo-key';

export interface Reply<B> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the reply is JSON, else the text. */
  body: B;
  text: string;
}

/** The 4xx envelope of the banner API. */
export interface BannerError {
  message: string;
  code: string;
  errors: { field: string; message: string }[];
}

async function send<B>(s: TestService, path: string, init: RequestInit): Promise<Reply<B>> {
  const res = await s.fetch(path, init);
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, headers: res.headers, text, body: (json ? JSON.parse(text) : text) as B };
}

/** POSTs a body (an object, or a raw string sent as is) to a banner path with the demo key. */
export function postBanner<B = BannerResponse>(
  s: TestService,
  body: unknown,
  options: { path?: string; headers?: Record<string, string> } = {},
): Promise<Reply<B>> {
  return send<B>(s, options.path ?? '/ab/getPersonalizedBanner', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY, ...options.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** POSTs a tracking batch like the node SDK: `/track?ip=0&verbose=…`, its key in the header. */
export function postTrack<B = unknown>(
  s: TestService,
  events: unknown,
  options: { verbose?: boolean; headers?: Record<string, string> } = {},
): Promise<Reply<B>> {
  return send<B>(s, `/track?ip=0&verbose=${options.verbose ? 1 : 0}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY, ...options.headers },
    body: typeof events === 'string' ? events : JSON.stringify(events),
  });
}

/** An SDK-style tracking event of `userId`, optionally carrying a render's kibotuMetadata. */
export function sdkEvent(userId: string, event: string, meta?: BannerResponse['kibotuMetadata']) {
  return {
    event,
    properties: {
      distinct_id: userId,
      time: Math.floor(Date.now() / 1000),
      token: DEMO_KEY,
      mp_lib: 'node',
      $lib_version: '0.1.0',
      ...(meta ? { kibotuMetadata: meta } : {}),
    },
  };
}

export interface VariationResults {
  variationId: number;
  name: string;
  users: number;
  exposures: number;
  metrics: Record<
    string,
    {
      conversions: number;
      rate: number | null;
      interval: { low: number; high: number } | null;
      versusControl: {
        pValue: number | null;
        pValueHolm: number | null;
        sequentialPValue: number | null;
      } | null;
    }
  >;
  verdict: 'winning' | 'losing' | 'inconclusive' | null;
}

/** GET the account managers' results of one experiment of the demo app. */
export function getResults(s: TestService, experimentId: string, query = '') {
  return send<{
    experimentId: string;
    bucketVersion: number;
    variations: VariationResults[];
    enrolledAfterEnd?: { users: number; note: string };
    endedAt?: string | null;
  }>(s, `/admin/apps/demo/experiments/${experimentId}${query}`, {
    headers: { Authorization: 'Bearer demo-admin-token' },
  });
}
