/**
 * Whether a transaction's changes are visible to a statement, from the text of
 * `pg_current_snapshot()` the statement returned ("xmin:xmax:xip,xip…", 64-bit ids) and the
 * transaction's `pg_current_xact_id()`. PostgreSQL's own rule (pg_visible_in_snapshot):
 * below xmin it had finished; from xmax on it had not started; in between it had finished
 * unless listed as in progress. "Finished" is read as committed: the caller knows whether its
 * own transaction failed.
 */
export function visibleIn(snapshot: string, xid: bigint): boolean {
  const [xmin, xmax, inProgress] = snapshot.split(':');
  if (xmin === undefined || xmax === undefined) throw new Error(`not a snapshot: ${snapshot}`);
  if (xid < BigInt(xmin)) return true;
  if (xid >= BigInt(xmax)) return false;
  const text = xid.toString();
  return !(inProgress ?? '').split(',').includes(text);
}
