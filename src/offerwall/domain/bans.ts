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
