import test from 'ava';
import Koa from 'koa';
import { errorMiddleware } from '../../src/http/error-middleware.js';
import type { RequestState } from '../../src/http/request-context.js';
import { StoreBusyError } from '../../src/store/store-unavailable.js';
import { silentLogger } from '../helpers/silent-logger.js';

/** The answer errorMiddleware gives for `err`, thrown by a banner route. */
async function answerFor(err: unknown): Promise<{ status: number; body: unknown }> {
  const app = new Koa();
  app.use(async (ctx, next) => {
    Object.assign(ctx.state as RequestState, { family: 'banner', supportId: 7, log: silentLogger });
    await next();
  });
  app.use(errorMiddleware());
  app.use(() => {
    throw err;
  });
  const server = app.listen(0);
  try {
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/`);
    return { status: res.status, body: await res.json() };
  } finally {
    server.close();
  }
}

test('a store that is busy with another call is a 503 that says so; a store that is down says unavailable', async (t) => {
  const busy = await answerFor(
    new StoreBusyError('events of this batch are being stored by another attempt'),
  );
  t.is(busy.status, 503);
  t.like(busy.body, {
    code: 'STORE_UNAVAILABLE',
    message: 'events of this batch are being stored by another attempt: retry later',
  });
  const down = await answerFor(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
  t.is(down.status, 503);
  t.like(down.body, { code: 'STORE_UNAVAILABLE', message: 'The store is unavailable; retry later' });
});
