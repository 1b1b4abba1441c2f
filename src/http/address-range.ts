import ipaddr from 'ipaddr.js';

/**
 * The one spelling of an IP address or CIDR range, for values compared as text (a ban is
 * stored once, and lifting it lifts it): IPv6 in RFC 5952 form (lower case, zeros
 * compressed), an IPv4-mapped address or range (`::ffff:7.7.7.7`, `::ffff:707:707/128`,
 * `::ffff:a00:0/104`) as its IPv4 one, host bits cleared (`10.1.2.3/8` is `10.0.0.0/8`), a
 * full-length prefix dropped (`7.7.7.7/32` is `7.7.7.7`), the prefix without leading zeros.
 * A hostile check stored 7.7.7.7 in five spellings as five bans, and deleting "the" ban
 * left the address banned. `value` must already be valid (`addressSet` accepts it):
 * ipaddr.js alone also reads octal and hex IPv4 forms, which Node's `isIP` refuses.
 */
export function canonicalRange(value: string): string {
  const slash = value.indexOf('/');
  if (slash < 0) return canonicalAddress(parsed(value));
  const bits = Number(value.slice(slash + 1));
  const address = parsed(value.slice(0, slash));
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return canonicalRange(`${(address as ipaddr.IPv6).toIPv4Address().toString()}/${bits - 96}`);
  }
  const full = address.kind() === 'ipv4' ? 32 : 128;
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${bits}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${bits}`);
  return bits === full ? canonicalAddress(network) : `${canonicalAddress(network)}/${bits}`;
}

/**
 * The address, with an IPv6 one's dotted IPv4 tail written as its two hex groups first:
 * ipaddr.js 2.5 reads `::a.b.c.d` (IPv4-compatible, `::0.0.0.0` being `::`) as the mapped
 * `::ffff:a.b.c.d`, so `::0.0.0.0/96` became `0.0.0.0/0` and banned every IPv4 caller
 * (focused check). Only `::ffff:` makes an IPv6 address an IPv4 one.
 */
function parsed(address: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const tail = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (!tail) return ipaddr.parse(address);
  const [a, b, c, d] = tail.slice(2).map(Number) as [number, number, number, number];
  return ipaddr.parse(`${tail[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`);
}

function canonicalAddress(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (address.kind() === 'ipv4') return address.toString();
  const six = address as ipaddr.IPv6;
  return six.isIPv4MappedAddress() ? six.toIPv4Address().toString() : six.toRFC5952String();
}
