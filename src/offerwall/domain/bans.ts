export type BanType = 'user' | 'ip';

/** A "do not serve": a user id or an IP address / CIDR range, for one wall or all of the app's. */
export interface Ban {
  id: string;
  appId: string;
  type: BanType;
  /** The uid, or an IPv4/IPv6 address or CIDR range. */
  value: string;
  /** Null: every wall of the app. */
  wallId: number | null;
  reason: string;
  createdAt: string;
}

/**
 * Whether two bans of an app are one: same type, value and scope (an app-wide ban and a
 * ban on one wall are not one: answering the wall's for an app-wide request would leave the
 * other walls open). Adding it again returns the stored one: two stored copies meant that
 * deleting "the ban" left the user banned (hostile probe: 30 concurrent adds stored 30).
 */
export function sameBan(
  a: Omit<Ban, 'id' | 'createdAt' | 'reason'>,
  b: Omit<Ban, 'id' | 'createdAt' | 'reason'>,
): boolean {
  return a.appId === b.appId && a.type === b.type && a.value === b.value && a.wallId === b.wallId;
}

/**
 * `bans` with each ban once (`sameBan`), the oldest kept: for stores written before adds
 * were de-duplicated, where lifting one copy left the others.
 */
export function distinctBans<B extends Ban>(bans: readonly B[]): B[] {
  const seen = new Set<string>();
  return bans.filter((b) => {
    const key = JSON.stringify([b.appId, b.type, b.value, b.wallId]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A ban as added: the stored one, and whether this call stored it (false: it was there). */
export interface AddedBan {
  ban: Ban;
  created: boolean;
}

export interface BanSubject {
  uid: string;
  /**
   * The addresses the request stands for: the `ip` it names (a server-side call names its
   * player's) and the caller's own. A ban on either holds: naming another `ip` must not
   * step around a ban on the address the request comes from.
   */
  ips: readonly string[];
  wallId: number;
}

/**
 * The ban that stops serving `subject`, if any. A user ban is reported before an IP
 * ban, so support sees the most specific reason. `ipInRange` does the CIDR matching.
 */
export function findBlockingBan(
  bans: readonly Ban[],
  subject: BanSubject,
  ipInRange: (range: string, ip: string) => boolean,
): Ban | undefined {
  const applies = (b: Ban) => b.wallId === null || b.wallId === subject.wallId;
  const user = bans.find((b) => b.type === 'user' && b.value === subject.uid && applies(b));
  if (user) return user;
  return bans.find((b) => b.type === 'ip' && applies(b) && subject.ips.some((ip) => ipInRange(b.value, ip)));
}
