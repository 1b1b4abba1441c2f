import { readFile, stat } from 'node:fs/promises';
import { duplicateOfferIds, type OfferPageValidator } from './catalog-schema.js';
import type { CatalogOffer } from './domain/offer.js';

/**
 * Reads a wall's shipped catalog: one Get Offers page holding every offer. A file
 * that is unreadable, malformed, for another wall or incomplete is an error (thrown
 * with the path), never a silently empty wall.
 */
export async function readCatalogFile(
  path: string,
  wallId: number,
  validator: OfferPageValidator,
): Promise<CatalogOffer[]> {
  // A regular file: a catalog at /dev/stdin hung `offerd test` in CI (hostile probe).
  const found = await stat(path).catch((err: Error) => {
    throw new Error(`catalog ${path}: ${err.message}`);
  });
  if (!found.isFile()) throw new Error(`catalog ${path} is not a regular file`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`catalog ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not V8's message: it quotes the text around the error, which printed the start of any
    // file a config pointed at (`/etc/passwd`: "root:x:0:0"…) in CI logs.
    throw new Error(`catalog ${path} is not valid JSON`);
  }
  const checked = validator.check(value);
  if (!checked.ok) throw new Error(`catalog ${path}: ${checked.problems.join('; ')}`);
  const { page } = checked;
  if (page.wall_id !== wallId) throw new Error(`catalog ${path} is for wall ${page.wall_id}, not ${wallId}`);
  if (page.offers.length !== page.total) {
    throw new Error(`catalog ${path} holds ${page.offers.length} offers but says total ${page.total}`);
  }
  const dup = duplicateOfferIds(page.offers);
  if (dup.length > 0) throw new Error(`catalog ${path}: duplicate offer_id ${dup.slice(0, 5).join(', ')}`);
  return page.offers;
}
