import test from 'ava';
import { openGeoIp } from '../../src/geo/geo-ip.js';

// api-contracts.md §2 (RevU geo): private, shared, loopback, link-local and documentation
// ranges mean "unknown country", all alike — the bundled database gives some of them one.
test('every reserved range is unknown country; public addresses keep theirs', async (t) => {
  const geo = await openGeoIp(null);
  const reserved = [
    '10.1.2.3',
    '127.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.1.1',
    '192.0.2.10',
    '198.51.100.7',
    '203.0.113.9',
    '::1',
    'fd00::1',
    'fe80::1',
    '2001:db8::1',
    '::ffff:192.168.1.1',
  ];
  for (const ip of reserved) t.is(geo.country(ip), null, ip);
  t.is(geo.country('8.8.8.8'), 'US');
  t.is(geo.country('172.32.0.1') === null, false, 'just outside 172.16/12 is an ordinary address');
});
