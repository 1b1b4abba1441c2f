import { setTimeout as sleep } from 'node:timers/promises';
import type { WallFeedConfig } from '../config/config-types.js';
import { duplicateOfferIds, type OfferPageValidator } from './catalog-schema.js';
import type { CatalogOffer, OfferPage } from './domain/offer.js';

/** A feed sync that did not produce a complete, valid catalog; the message says why, for operators. */
export class FeedError extends Error {
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'FeedError';
  }
}

export interface FeedClientOptions {
  validator: OfferPageValidator;
  /** Waits between attempts; tests may pass a faster one. */
  sleep?: (ms: number) => Promise<unknown>;
}

function pageUrl(base: string, offset: number, limit: number): string {
  const url = new URL(base);
  url.searchParams.set('limit', String(limit));
  url.searchParams.set('offset', String(offset));
  return url.toString();
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/**
 * Downloads a whole catalog from a vendor-style Get Offers feed: pages by limit/offset
 * until `total`, every page validated, each request bounded by a timeout and retried
 * with exponential backoff on network errors, timeouts, 5xx and 429. Anything else —
 * a 4xx, malformed JSON, an invalid or inconsistent page, fewer offers than `total` —
 * fails the whole sync, so a partial catalog never replaces a complete one.
 */
export class FeedClient {
  private readonly wait: (ms: number) => Promise<unknown>;

  constructor(private readonly options: FeedClientOptions) {
    this.wait = options.sleep ?? ((ms) => sleep(ms));
  }

  async fetchCatalog(feed: WallFeedConfig, wallId: number): Promise<CatalogOffer[]> {
    const offers: CatalogOffer[] = [];
    let total: number | null = null;
    while (total === null || offers.length < total) {
      const page = await this.fetchPage(feed, offers.length);
      if (page.wall_id !== wallId)
        throw new FeedError(`page at offset ${offers.length} is for wall ${page.wall_id}`);
      if (page.offset !== offers.length) {
        throw new FeedError(`asked for offset ${offers.length}, got a page at offset ${page.offset}`);
      }
      if (total !== null && page.total !== total)
        throw new FeedError(`total changed from ${total} to ${page.total}`);
      total = page.total;
      if (page.offers.length === 0 && offers.length < total) {
        throw new FeedError(`partial catalog: ${offers.length} of ${total} offers, then an empty page`);
      }
      offers.push(...page.offers);
    }
    if (total === 0) throw new FeedError('feed has no offers; an empty catalog never replaces one');
    if (offers.length !== total)
      throw new FeedError(`feed sent ${offers.length} offers but total is ${total}`);
    const dup = duplicateOfferIds(offers);
    if (dup.length > 0) throw new FeedError(`duplicate offer_id ${dup.slice(0, 5).join(', ')}`);
    return offers;
  }

  private async fetchPage(feed: WallFeedConfig, offset: number): Promise<OfferPage> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.tryPage(feed, offset);
      } catch (err) {
        const retryable = err instanceof FeedError ? err.retryable : true;
        if (!retryable || attempt >= feed.retries) {
          const e =
            err instanceof FeedError ? err : new FeedError(`offset ${offset}: ${(err as Error).message}`);
          if (attempt > 0) e.message += ` (after ${attempt + 1} attempts)`;
          throw e;
        }
        await this.wait(feed.backoffMs * 2 ** attempt);
      }
    }
  }

  private async tryPage(feed: WallFeedConfig, offset: number): Promise<OfferPage> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (feed.apiKey) headers['X-API-Key'] = feed.apiKey;
    let text: string;
    try {
      // One signal bounds the whole exchange, body included: a feed that stalls mid-body times out too.
      const res = await fetch(pageUrl(feed.url, offset, feed.pageSize), {
        headers,
        signal: AbortSignal.timeout(feed.timeoutMs),
      });
      text = await res.text();
      if (!res.ok) {
        throw new FeedError(`offset ${offset}: HTTP ${res.status}`, res.status >= 500 || res.status === 429);
      }
    } catch (err) {
      if (err instanceof FeedError) throw err;
      if (isTimeout(err)) throw new FeedError(`offset ${offset}: timed out after ${feed.timeoutMs} ms`, true);
      throw new FeedError(`offset ${offset}: ${(err as Error).message}`, true);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new FeedError(`offset ${offset}: malformed JSON`);
    }
    const checked = this.options.validator.check(body);
    if (!checked.ok) throw new FeedError(`offset ${offset}: invalid page: ${checked.problems.join('; ')}`);
    return checked.page;
  }
}
