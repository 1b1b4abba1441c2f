import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { startTestService } from '../helpers/start-test-service.js';

const GET = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';

/** One keep-alive connection: send a request, read its whole (small, Content-Length) response. */
function keepAliveConnection(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  let buffered = '';
  let closed = false;
  let wake: (() => void) | undefined;
  socket.on('data', (d: Buffer) => {
    buffered += d.toString('latin1');
    wake?.();
  });
  socket.on('close', () => {
    closed = true;
    wake?.();
  });
  socket.on('error', () => undefined);
  const response = async (): Promise<{ status: number; headers: string } | 'closed'> => {
    for (;;) {
      const end = buffered.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
      if (end >= 0 && buffered.length >= end + 4 + length) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4 + length);
        return { status: Number(head.split(' ')[1]), headers: head.toLowerCase() };
      }
      if (closed) return 'closed';
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
  return {
    async send(request: string) {
      socket.write(request);
      return response();
    },
    /** Bytes with no response expected yet (the rest of a request). */
    write: (bytes: string) => socket.write(bytes),
    isClosed: () => closed,
    end: () => socket.destroy(),
  };
}

test('idle keep-alive connections outlast the clients’ own timeouts: advertised as 65 s, and the header and body timeouts never close one', async (t) => {
  // Header and body timeouts of 1 s: a connection idle for longer must still be served.
  const s = await startTestService(t, {
    httpTimeouts: { headersMs: 1_000, requestMs: 1_000, keepAliveMs: 65_000 },
  });
  const c = keepAliveConnection(s.port);
  t.teardown(c.end);
  const first = await c.send(GET);
  if (first === 'closed') return t.fail('closed before the first response');
  t.is(first.status, 200);
  t.regex(first.headers, /keep-alive: timeout=65/);
  await sleep(2_500);
  t.false(c.isClosed(), 'an idle connection is not closed by the header or request timeout');
  const second = await c.send(GET);
  t.not(second, 'closed');
  if (second !== 'closed') t.is(second.status, 200);
});

test('the shipped default keeps an idle connection open past Node’s own 5 s; a configured shorter one closes it', async (t) => {
  const defaults = await startTestService(t);
  const kept = keepAliveConnection(defaults.port);
  t.teardown(kept.end);
  const short = await startTestService(t, {
    httpTimeouts: { headersMs: 20_000, requestMs: 30_000, keepAliveMs: 300 },
  });
  const closing = keepAliveConnection(short.port);
  t.teardown(closing.end);
  const [a, b] = await Promise.all([kept.send(GET), closing.send(GET)]);
  t.true(a !== 'closed' && /keep-alive: timeout=65/.test(a.headers));
  t.not(b, 'closed');
  await sleep(6_000);
  t.true(closing.isClosed(), 'the 300 ms keep-alive closed its idle connection');
  t.false(kept.isClosed(), 'the default kept its idle connection past 5 s');
  const again = await kept.send(GET);
  t.true(again !== 'closed' && again.status === 200);
});

test('stopping waits for a request in flight, then closes its connection: the keep-alive timeout does not hold the shutdown', async (t) => {
  const s = await startTestService(t);
  const c = keepAliveConnection(s.port);
  t.teardown(c.end);
  const ready = await c.send(GET);
  t.true(ready !== 'closed' && ready.status === 200);
  // A request in flight when the stop begins: its body arrives only afterwards.
  const body = '{"userId":"stopping-1","offerId":"8622","countryIso2":"DE"}';
  const head =
    'POST /getPersonalizedBanner HTTP/1.1\r\nHost: x\r\nAuthorization: demo-key\r\n' +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  const answered = c.send(head);
  await sleep(200);
  const started = Date.now();
  const stopped = s.stop();
  await sleep(200);
  t.false(c.isClosed(), 'the request in flight is not cut off');
  c.write(body);
  const res = await answered;
  t.true(res !== 'closed' && res.status === 200, 'the request in flight is answered');
  await stopped;
  const tookMs = Date.now() - started;
  // Not a speed bound: 65 s (the keep-alive timeout) against well under it.
  t.true(tookMs < 30_000, `stopped in ${tookMs} ms`);
  t.true(c.isClosed());
});
