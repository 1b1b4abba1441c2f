import { createHash } from 'node:crypto';
import murmur from 'murmurhash-js';
import type { Experiment, HashVersion, Variation } from './banner-types.js';

/** Buckets per experiment: allocation and weights resolve to 0.01 %. */
export const BUCKETS = 10_000;

// Two seeds give two independent buckets from one key: entering the experiment and
// picking a variation must not be correlated.
const ALLOCATION_SEED = 0;
const VARIATION_SEED = 1;

/** The key a user is bucketed by in one experiment; a new bucketVersion gives new buckets. */
export function bucketKey(experimentId: string, bucketVersion: number, userId: string): string {
  return `${experimentId}:${bucketVersion}:${userId}`;
}

/**
 * murmur3 (x86, 32-bit) over the UTF-8 bytes of `key`. murmurhash-js hashes the low
 * byte of each UTF-16 unit, so the key goes in as one latin1 character per UTF-8 byte:
 * the result then equals every other murmur3 implementation's, for any user id.
 */
export function murmur3(key: string, seed: number): number {
  // An ASCII key already is its own UTF-8 bytes: skip the two conversions (most ids are ASCII).
  const bytes = isAscii(key) ? key : Buffer.from(key, 'utf8').toString('latin1');
  return murmur.murmur3(bytes, seed) >>> 0;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** The bucket (0..BUCKETS-1) of `key` with `seed`. */
export function bucketOf(key: string, seed: number): number {
  return murmur3(key, seed) % BUCKETS;
}

export interface Bucketing {
  allocationBucket: number;
  variationBucket: number;
  /** Whether the allocation bucket falls inside the experiment's traffic allocation. */
  admitted: boolean;
  /** The variation the weights give, or null when not admitted. */
  variationId: number | null;
}

/** The variation `weights` give to `bucket`: cumulative shares in declaration order. */
export function variationForBucket(variations: readonly Variation[], bucket: number): number | null {
  const total = variations.reduce((sum, v) => sum + v.weight, 0);
  if (!(total > 0)) return null;
  let upper = 0;
  for (const v of variations) {
    upper += (v.weight / total) * BUCKETS;
    if (v.weight > 0 && bucket < upper) return v.id;
  }
  // Rounding may leave the last bucket uncovered: it belongs to the last weighted variation.
  return [...variations].reverse().find((v) => v.weight > 0)?.id ?? null;
}

/** Hash version 1: murmur3 of the key with two seeds (kept so existing experiments keep their split). */
function bucketsV1(key: string): [allocation: number, variation: number] {
  return [bucketOf(key, ALLOCATION_SEED), bucketOf(key, VARIATION_SEED)];
}

const SPAN_48 = 2 ** 48;

/**
 * Hash version 2: SHA-256 of the key; the allocation bucket is read from digest bytes
 * 0-5 and the variation bucket from bytes 6-11, so the two are independent by
 * construction and every output bit depends on every input byte (no structure left
 * for sequential or prefixed ids). A 48-bit word scaled to BUCKETS has a bias below 1e-10.
 */
function bucketsV2(key: string): [allocation: number, variation: number] {
  const digest = createHash('sha256').update(key, 'utf8').digest();
  const scale = (offset: number) => Math.floor((digest.readUIntBE(offset, 6) / SPAN_48) * BUCKETS);
  return [scale(0), scale(6)];
}

/** The (allocation, variation) buckets of `key` under a hash version. */
export function bucketsOf(key: string, hashVersion: HashVersion): [allocation: number, variation: number] {
  return hashVersion === 1 ? bucketsV1(key) : bucketsV2(key);
}

/**
 * Deterministic first-exposure bucketing: traffic allocation first, then weights.
 * The result is only a proposal; the stored assignment, once made, always wins.
 */
export function bucketUser(experiment: Experiment, userId: string): Bucketing {
  const key = bucketKey(experiment.id, experiment.bucketVersion, userId);
  const [allocationBucket, variationBucket] = bucketsOf(key, experiment.hashVersion);
  const admitted = allocationBucket < experiment.trafficAllocation * (BUCKETS / 100);
  return {
    allocationBucket,
    variationBucket,
    admitted,
    variationId: admitted ? variationForBucket(experiment.variations, variationBucket) : null,
  };
}
