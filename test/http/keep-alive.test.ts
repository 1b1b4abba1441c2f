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

const BIG = 'x'.repeat(1_500_000); // over the 1 MB body limit
const REFUSED_BODIES: { name: string; head: string; body: string; status: number }[] = [
  {
    name: 'banner, 1.5 MB with Content-Length',
    head: `POST /getPersonalizedBanner HTTP/1.1\r\nHost: x\r\nAuthorization: demo-key\r\nContent-Type: application/json\r\nContent-Length: ${BIG.length}\r\n\r\n`,
    body: BIG,
    status: 413,
  },
  {
    name: 'journeys, 1.5 MB chunked',
    head: 'POST /v1/user-journeys/track HTTP/1.1\r\nHost: x\r\nX-API-Key: pk_test_demo\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
    body: `${BIG.length.toString(16)}\r\n${BIG}\r\n0\r\n\r\n`,
    status: 413,
  },
  {
    name: 'admin, 1.5 MB with Content-Length',
    head: `POST /admin/rules/reload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer demo-admin-token\r\nContent-Type: application/json\r\nContent-Length: ${BIG.length}\r\n\r\n`,
    body: BIG,
    status: 413,
  },
  {
    name: 'banner, a body that is not JSON',
    head: 'POST /getPersonalizedBanner HTTP/1.1\r\nHost: x\r\nAuthorization: demo-key\r\nContent-Type: text/xml\r\nContent-Length: 7\r\n\r\n',
    body: '<a></a>',
    status: 415,
  },
];

test('a body refused for its size or type is read and dropped: the client reads the refusal and its connection carries the next request', async (t) => {
  const s = await startTestService(t);
  for (const r of REFUSED_BODIES) {
    const c = keepAliveConnection(s.port);
    t.teardown(c.end);
    c.write(r.head);
    c.write(r.body);
    const refused = await c.send('');
    if (refused === 'closed') {
      t.fail(`${r.name}: closed before its refusal`);
      continue;
    }
    t.is(refused.status, r.status, r.name);
    t.notRegex(refused.headers, /connection: close/, r.name);
    const next = await c.send(GET);
    t.not(next, 'closed', `${r.name}: the connection carries the next request`);
    if (next !== 'closed') t.is(next.status, 200, r.name);
  }
});

test('a client still sending a 10 MB body reads its 413, every time (no reset on unread bytes)', async (t) => {
  const s = await startTestService(t);
  const outcomes = new Map<string, number>();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 6; i++) {
        const outcome = await fetch(`http://127.0.0.1:${s.port}/v1/user-journeys/track`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': 'pk_test_demo' },
          body: Buffer.alloc(10_000_000, 97),
        }).then(
          async (res) => `${res.status} ${((await res.json()) as { code?: unknown }).code}`,
          (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.message,
        );
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    }),
  );
  t.deepEqual([...outcomes], [['413 413', 24]]);
});

test('past 64 MB of a refused body the connection is closed: dropping bytes is bounded', async (t) => {
  const s = await startTestService(t);
  const c = keepAliveConnection(s.port);
  t.teardown(c.end);
  const declared = 200 * 1024 * 1024;
  c.write(
    `POST /getPersonalizedBanner HTTP/1.1\r\nHost: x\r\nAuthorization: demo-key\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`,
  );
  const refused = await c.send('');
  t.not(refused, 'closed');
  if (refused !== 'closed') t.is(refused.status, 413);
  const chunk = 'y'.repeat(1024 * 1024);
  for (let mb = 0; mb < 70 && !c.isClosed(); mb++) {
    c.write(chunk);
    await sleep(5);
  }
  await sleep(200);
  t.true(c.isClosed(), 'closed after about 64 MB of a 200 MB body');
});
