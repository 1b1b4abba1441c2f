/**
 * The floor: the fastest a Koa service on this machine answers the same bytes. A bare
 * Koa + @koa/router app whose routes return precomputed bodies, one per API, read from
 * the JSON file named by FLOOR_BODIES ({ "<route path>": { "method": "GET", "body": "..." } }).
 */
import { readFileSync } from 'node:fs';
import Router from '@koa/router';
import Koa from 'koa';

const bodies = JSON.parse(readFileSync(process.env.FLOOR_BODIES ?? '', 'utf8')) as Record<
  string,
  { method: 'GET' | 'POST'; body: string }
>;
const app = new Koa();
const router = new Router();
for (const [path, { method, body }] of Object.entries(bodies)) {
  const buffer = Buffer.from(body);
  const handler = (ctx: Koa.Context) => {
    ctx.type = 'application/json';
    ctx.body = buffer;
  };
  if (method === 'GET') router.get(path, handler);
  else router.post(path, handler);
}
app.use(router.routes());
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
