import { BlockList, isIP } from 'node:net';

/** `::ffff:1.2.3.4` (IPv4 seen through an IPv6 socket) is `1.2.3.4`. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/** A set of addresses and CIDR ranges (`10.0.0.0/8`, `2001:db8::/32`, `1.2.3.4`). */
export function addressSet(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr = '', bits] = entry.split('/');
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(addr) === 0) throw new Error(`not an IP address or CIDR range: '${entry}'`);
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}

export function inSet(set: BlockList, ip: string): boolean {
  const type = isIP(ip);
  return type !== 0 && set.check(ip, type === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The caller's address. `X-Forwarded-For` is believed only when the direct peer is a
 * configured trusted proxy, and then only up to the first hop that is not one — a
 * client cannot pick its own country by sending the header.
 */
export function clientIp(
  remoteAddress: string | undefined,
  forwardedFor: string | undefined,
  trusted: BlockList,
): string {
  let ip = normalizeIp(remoteAddress ?? '');
  if (!forwardedFor || !inSet(trusted, ip)) return ip;
  const hops = forwardedFor
    .split(',')
    .map((h) => normalizeIp(h.trim()))
    .filter((h) => isIP(h) !== 0);
  while (hops.length > 0 && inSet(trusted, ip)) ip = hops.pop() as string;
  return ip;
}
