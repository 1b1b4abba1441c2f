import test from 'ava';
import { addressSet, clientIp, inSet } from '../../src/http/client-ip.js';

const proxies = addressSet(['10.0.0.0/8', '192.0.2.7']);

test('X-Forwarded-For from an untrusted peer is ignored', (t) => {
  t.is(clientIp('203.0.113.9', '5.9.0.1', proxies), '203.0.113.9');
});

test('a trusted proxy passes on the first untrusted hop from the right', (t) => {
  t.is(clientIp('::ffff:10.1.2.3', '6.6.6.6, 5.9.0.1, 192.0.2.7', proxies), '5.9.0.1');
});

test('CIDR ranges and single addresses both match', (t) => {
  t.true(inSet(proxies, '10.255.0.1'));
  t.true(inSet(proxies, '192.0.2.7'));
  t.false(inSet(proxies, '192.0.2.8'));
  t.false(inSet(proxies, 'not-an-ip'));
});

test('a bad entry is reported, not ignored', (t) => {
  t.throws(() => addressSet(['10.0.0.0/8', 'proxy.local']), { message: /proxy\.local/ });
});
