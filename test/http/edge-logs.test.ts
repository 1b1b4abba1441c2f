import test from 'ava';
import type Koa from 'koa';
import { ApiRouter } from '../../src/http/api-router.js';
import { createApp } from '../../src/http/create-app.js';
import { LogOncePer } from '../../src/http/http-server.js';
import { createMetrics } from '../../src/http/metrics.js';
import { startOfferdProcess } from '../helpers/offerd-process.js';
import { httpRequest, rawRequest } from '../helpers/raw-http.js';
import { silentLogger } from '../helpers/silent-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

test('requests the HTTP parser refuses are answered in JSON and never log their bytes; one line per cause', async (t) => {
  const dir = await tempDir(t, 'offerd-logs-');
  const service = await startOfferdProcess({
    NODE_ENV: 'development',
    LOG_LEVEL: 'debug',
    OFFERD_DATA_DIR: dir,
  });
  t.teardown(() => service.stop());
  const port = Number(new URL(service.url).port);
  const secrets = 'Authorization: Bearer demo-admin-token\r\nX-API-Key: pk_live_demo\r\n';
  for (let i = 0; i < 50; i++) {
    const bad = await rawRequest(port, `GET /admin/rules HTTP/1.1\r\n${secrets}Bad Header\r\n\r\n`);
    t.is(bad.status, 400);
    t.like(JSON.parse(bad.body), { error: { code: 'BAD_REQUEST' } });
    const big = await rawRequest(
      port,
      httpRequest('GET', '/admin/rules', {
        'X-Big': 'y'.repeat(20_000),
        Authorization: 'Bearer demo-admin-token',
      }),
    );
    t.is(big.status, 431);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  const out = service.output();
  t.false(out.includes('demo-admin-token'), 'the admin token is never logged');
  t.false(out.includes('pk_live_demo'), 'API keys are never logged');
  t.false(out.includes('rawPacket'));
  const lines = out.split('\n').filter((l) => l.includes('client error answered'));
  t.is(lines.length, 2, `one line per cause per minute:\n${lines.join('\n')}`);
  t.true(
    lines.every((l) => JSON.parse(l).level === 20),
    'at debug level',
  );
});

test('an unexpected error is a JSON 500 in its API envelope that leaks nothing', async (t) => {
  const api = new ApiRouter({ family: 'offerwall', prefix: '/api/v1', before: [] });
  api.get('/boom', () => {
    throw new Error('secret detail');
  });
  const app: Koa = createApp({ logger: silentLogger, metrics: createMetrics(), apis: [api] });
  const server = app.listen(0, '127.0.0.1');
  t.teardown(() => server.close());
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as { port: number }).port;
  const res = await rawRequest(port, httpRequest('GET', '/api/v1/boom'));
  t.is(res.status, 500);
  t.regex(res.headers['content-type'] ?? '', /application\/json/);
  t.like(JSON.parse(res.body), { status: 'failure', error: { code: 'INTERNAL', message: 'Internal error' } });
  t.false(res.body.includes('secret detail'));
});

test('LogOncePer allows one line per cause per window', (t) => {
  let now = 0;
  const once = new LogOncePer(60_000, () => now);
  t.true(once.allow('a'));
  t.false(once.allow('a'));
  t.true(once.allow('b'));
  now = 59_999;
  t.false(once.allow('a'));
  now = 60_000;
  t.true(once.allow('a'));
});
