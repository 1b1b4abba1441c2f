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

// Hostile probe: with 5.6.7.8 banned, `1.1.1.1, 5.6.7.8:4711` was served as 1.1.1.1 (AU):
// a hop the parser could not read was skipped and the client-written one to its left won.
const loopbackProxy = addressSet(['127.0.0.1']);

test('a hop with a port or in brackets is read as its IP', (t) => {
  t.is(clientIp('127.0.0.1', '1.1.1.1, 5.6.7.8', loopbackProxy), '5.6.7.8');
  t.is(clientIp('127.0.0.1', '1.1.1.1, 5.6.7.8:4711', loopbackProxy), '5.6.7.8');
  t.is(clientIp('127.0.0.1', '1.1.1.1, [5.6.7.8]', loopbackProxy), '5.6.7.8');
  t.is(clientIp('127.0.0.1', '1.1.1.1, [2001:db8::1]:443', loopbackProxy), '2001:db8::1');
  t.is(clientIp('127.0.0.1', '1.1.1.1, [2001:db8::1]', loopbackProxy), '2001:db8::1');
  t.is(clientIp('127.0.0.1', '1.1.1.1, 127.0.0.1:80', loopbackProxy), '1.1.1.1', 'a trusted hop with a port');
});

test('a hop that is no address stops the walk: the caller has no address, never the hop to its left', (t) => {
  t.is(clientIp('127.0.0.1', '1.1.1.1, unknown', loopbackProxy), '');
  t.is(clientIp('127.0.0.1', '1.1.1.1, 5.6.7.8:99999x', loopbackProxy), '');
  t.is(clientIp('127.0.0.1', '1.1.1.1, [5.6.7.8', loopbackProxy), '');
  t.is(clientIp('127.0.0.1', '1.1.1.1, unknown, 127.0.0.1', loopbackProxy), '');
  t.is(clientIp('127.0.0.1', '1.1.1.1, , ', loopbackProxy), '1.1.1.1', 'empty list elements are no hop');
});
