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
 * One `X-Forwarded-For` hop as an address, or '' when it is none. Proxies write a hop with
 * its port (`5.6.7.8:4711`, `[2001:db8::1]:443`) or in brackets (`[5.6.7.8]`): each is read
 * as its IP. A hop that was skipped instead let the client-written hop to its left be the
 * caller (hostile probe: an IP ban stepped around with `1.1.1.1, 5.6.7.8:4711`).
 */
export function hopAddress(hop: string): string {
  const h = hop.trim();
  const bracketed = /^\[([^\]]*)\](?::\d{1,5})?$/.exec(h);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(h);
  const ip = normalizeIp(bracketed?.[1] ?? v4WithPort?.[1] ?? h);
  return isIP(ip) !== 0 ? ip : '';
}

/**
 * The caller's address, '' when it is not known. `X-Forwarded-For` is believed only when
 * the direct peer is a configured trusted proxy, and then only up to the first hop that is
 * not one — a client cannot pick its own country by sending the header. A hop that is no
 * address (`unknown`, garbage) stops the walk there: the caller is that hop, whose address
 * no trusted proxy vouched for, so it is '' (no country, no IP ban), never a hop further
 * left, which the client wrote. Empty list elements are no hop (RFC 9110 §5.6.1).
 */
export function clientIp(
  remoteAddress: string | undefined,
  forwardedFor: string | undefined,
  trusted: BlockList,
): string {
  let ip = normalizeIp(remoteAddress ?? '');
  if (!forwardedFor || !inSet(trusted, ip)) return ip;
  const hops = forwardedFor.split(',').filter((h) => h.trim() !== '');
  while (hops.length > 0 && inSet(trusted, ip)) ip = hopAddress(hops.pop() as string);
  return ip;
}
