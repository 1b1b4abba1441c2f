import { once } from 'node:events';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import test from 'ava';
import { startTestService } from '../helpers/start-test-service.js';

const REQUEST = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

/** Resolves once `text()` holds `n` responses' status lines, or the socket closed. */
async function responses(text: () => string, closed: () => boolean, n: number): Promise<string[]> {
  while (text().split('HTTP/1.1 ').length - 1 < n && !closed()) await delay(10);
  return text()
    .split('HTTP/1.1 ')
    .slice(1)
    .map((r) => `HTTP/1.1 ${r}`);
}

test('a draining stop answers a request sent on a kept-alive connection, closing it, then stops accepting', async (t) => {
  // SIGTERM stops this way: Node's close() alone dropped idle kept-alive connections at
  // once, and a request a client had just sent on one was reset (1-3 per shutdown under load).
  const s = await startTestService(t);
  const socket = connect(s.port, '127.0.0.1');
  await once(socket, 'connect');
  let text = '';
  let closed = false;
  socket.on('data', (d: Buffer) => {
    text += d.toString('latin1');
  });
  socket.on('close', () => {
    closed = true;
  });
  socket.on('error', () => undefined);
  socket.write(REQUEST);
  const [first] = await responses(
    () => text,
    () => closed,
    1,
  );
  t.regex(first ?? '', /^HTTP\/1\.1 200 /);
  t.notRegex(first ?? '', /connection: close/i, 'kept alive before the stop');

  const stopping = s.stop({ drainMs: 3_000 });
  await delay(100);
  socket.write(REQUEST);
  const [, second] = await responses(
    () => text,
    () => closed,
    2,
  );
  t.regex(second ?? '', /^HTTP\/1\.1 200 /, 'answered, not reset');
  t.regex(second ?? '', /connection: close/i, 'and told to leave the connection');
  const started = Date.now();
  await stopping;
  t.true(Date.now() - started < 2_500, 'the drain ends once no connection is open');
  const refused = connect(s.port, '127.0.0.1');
  const [err] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
  t.is(err.code, 'ECONNREFUSED');
});
