import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import test from 'ava';
import { createHttpServer, DEFAULT_HTTP_TIMEOUTS, MAX_CONNECTIONS } from '../../src/http/http-server.js';
import { silentLogger } from '../helpers/silent-logger.js';

/** A connection that sends half a request and waits: what a slow or hostile client holds open. */
async function halfRequest(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write('POST /track HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{');
  return socket;
}

test('connections past the bound are closed as they arrive; one freed lets the next in', async (t) => {
  t.true(
    MAX_CONNECTIONS > 0 && MAX_CONNECTIONS <= 10_000,
    'the service is bounded, well under a 20,000-file limit',
  );
  const server = createHttpServer(
    (_req, res) => {
      res.end('ok');
    },
    silentLogger,
    DEFAULT_HTTP_TIMEOUTS,
    () => 'neutral',
    3,
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const held = [await halfRequest(port), await halfRequest(port), await halfRequest(port)];
  const refused = await halfRequest(port);
  const closed = await Promise.race([
    once(refused, 'close').then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
  ]);
  t.true(closed, 'the fourth connection is closed by the server');
  held[0]?.destroy();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const res = await fetch(`http://127.0.0.1:${port}/`);
  t.is(await res.text(), 'ok');
  for (const s of held) s.destroy();
});
