import { BlockList, isIP } from 'node:net';

/**
 * Address ranges that are no place on the map (IANA special-purpose registries, RFC 6890
 * and successors): private, shared (CGNAT), loopback, link-local, documentation,
 * benchmarking, multicast and reserved. Geo-IP databases give some of them a country (the
 * registrant's); offerd treats every one alike as "unknown country".
 */
const RANGES: readonly [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.88.99.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['64:ff9b:1::', 48, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001::', 23, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

/** Built once per GeoIp instance (a BlockList is mutable, so it is not shared module state). */
export function reservedRanges(): BlockList {
  const list = new BlockList();
  for (const [address, prefix, type] of RANGES) list.addSubnet(address, prefix, type);
  return list;
}

/** Whether `ip` lies in a reserved range; false for anything that is not an IP address. */
export function isReserved(ranges: BlockList, ip: string): boolean {
  const type = isIP(ip);
  if (type === 0) return false;
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it carries.
  const mapped = type === 6 && /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  return mapped ? ranges.check(mapped, 'ipv4') : ranges.check(ip, type === 6 ? 'ipv6' : 'ipv4');
}
