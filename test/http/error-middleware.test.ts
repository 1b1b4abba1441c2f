import test from 'ava';
import Koa from 'koa';
import { type Logger, pino } from 'pino';
import { AppError } from '../../src/http/app-error.js';
import { errorMiddleware } from '../../src/http/error-middleware.js';
import type { RequestState } from '../../src/http/request-context.js';
import { StoreBusyError } from '../../src/store/store-unavailable.js';
import { silentLogger } from '../helpers/silent-logger.js';

/** The answer errorMiddleware gives for `err`, thrown by a banner route; its log lines go to `log`. */
async function answerFor(
  err: unknown,
  log: Logger = silentLogger,
): Promise<{ status: number; body: unknown }> {
  const app = new Koa();
  app.use(async (ctx, next) => {
    Object.assign(ctx.state as RequestState, { family: 'banner', supportId: 7, log });
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

test('a 503 is logged as a warning naming its cause, without a stack; an unexpected error as an error with its stack', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  await answerFor(
    Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
    log,
  );
  await answerFor(new AppError('RULES_NOT_READY', 'No valid rules are loaded for this app yet'), log);
  await answerFor(new TypeError('x is undefined'), log);
  t.deepEqual(
    lines.map((l) => [l.level, l.msg]),
    [
      [40, 'The store cannot write to its disk (full, read-only or not writable); retry later'],
      [40, 'No valid rules are loaded for this app yet'],
      [50, 'request failed'],
    ],
  );
  t.deepEqual(lines[0]?.cause, { message: 'ENOSPC: no space left on device, write', code: 'ENOSPC' });
  t.false(JSON.stringify(lines.slice(0, 2)).includes('stack'), 'no stack for a 503');
  t.true(JSON.stringify(lines[2]).includes('"stack"'), 'a stack for a 500');
});
