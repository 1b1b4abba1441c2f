import { connect } from 'node:net';
import { Writable } from 'node:stream';
import test from 'ava';
import { pino } from 'pino';
import { publicApi } from '../../src/http/api-router.js';
import { createApp } from '../../src/http/create-app.js';
import { createMetrics } from '../../src/http/metrics.js';

/** A logger at debug whose lines are kept, parsed. */
function capturingLogger() {
  const lines: { level: number; msg: string; err?: unknown }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

/** Announces 100 bytes of body, sends 5, then resets the connection (RST, not FIN). */
function resetMidBody(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
        () => setTimeout(() => socket.resetAndDestroy(), 20),
      );
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

// Hostile probe: each such connection logged `"level":50 … "read ECONNRESET" … "unhandled
// error"` with its stack, no key needed (20 resets, 20 lines), though a client's own failure
// is logged at debug (docs/security.md, Logs).
test('a client that resets its connection mid-body is logged at debug at most, never as an error', async (t) => {
  const { logger, lines } = capturingLogger();
  const api = publicApi('banner', { bodyLimit: '1mb' });
  api.post('/echo', (ctx) => {
    ctx.body = { ok: true };
  });
  const app = createApp({ logger, metrics: createMetrics(), apis: [api] });
  const server = app.listen(0, '127.0.0.1');
  t.teardown(() => server.close());
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as { port: number }).port;
  for (let i = 0; i < 5; i++) await resetMidBody(port);
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.true(
    lines.some((l) => l.msg === 'request'),
    'the requests were seen',
  );
  const loud = lines.filter((l) => l.level > 30 || l.err !== undefined);
  t.deepEqual(loud, [], 'no warning or error line, no stack');
});
