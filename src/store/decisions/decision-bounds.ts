import type { RecordedDecision } from './decision-log.js';

/**
 * Characters of JSON a recorded request may take. A banner decision records the body as the
 * client sent it, unknown fields included, so one client could fill each record with up to
 * the 1 MB body limit (records of 960,980 bytes were seen): at 20,000 records per app and API
 * before a trim, gigabytes in memory. The fields any API reads fit in a few hundred bytes.
 */
export const MAX_RECORDED_REQUEST_CHARS = 16 * 1024;
/**
 * Characters of JSON a recorded snapshot may take: room for a profile of a few hundred
 * properties with its 20 recent events, or an offerwall user with the wall's catalog.
 */
export const MAX_RECORDED_SNAPSHOT_CHARS = 256 * 1024;
/**
 * Characters of JSON the embedded log keeps per app and API, the oldest dropped first, on
 * top of the count (`decisionLog.maxPerApi`). 10,000 decisions of ~570 characters (the 17 MB
 * file of three APIs at their bound, see DocumentDecisionLog) take ~6 MB, so the count binds
 * first unless records are large; at the caps above, ≥ 30 decisions are still kept. The log
 * is trimmed once it holds twice what the last trim kept. Measured (heap after GC, memory
 * log): 1.0 byte of heap per character for long strings, 2.6 for entries of ~650 characters;
 * so ~22 MB of heap per app and API after a trim, ~43 MB before it, where 20,000 entries of
 * 960,980 bytes had been ~19 GB.
 */
export const MAX_DECISION_CHARS_PER_API = 8 * 1024 * 1024;

/** The characters of JSON of `value` (UTF-16 units: what a string of it costs, roughly). */
export const jsonChars = (value: unknown): number => JSON.stringify(value)?.length ?? 0;

/**
 * The decision as the log keeps it: a request or snapshot past its cap is left out (an empty
 * request, a snapshot without records) and `oversize` says which and how large it was. Such
 * a decision cannot be decided again: a replay counts it as skipped (ImpactReport.oversize),
 * it does not decide it on an empty state as if it were a new user.
 */
export function withinRecordBounds(d: RecordedDecision): RecordedDecision {
  const request = jsonChars(d.request);
  const snapshot = jsonChars(d.snapshot);
  const cutRequest = request > MAX_RECORDED_REQUEST_CHARS;
  const cutSnapshot = snapshot > MAX_RECORDED_SNAPSHOT_CHARS;
  if (!cutRequest && !cutSnapshot) return d;
  return {
    ...d,
    request: cutRequest ? {} : d.request,
    snapshot: cutSnapshot ? { ...d.snapshot, records: {} } : d.snapshot,
    oversize: {
      ...d.oversize,
      ...(cutRequest ? { request } : {}),
      ...(cutSnapshot ? { snapshot } : {}),
    },
  };
}
