import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import test, { type ExecutionContext } from 'ava';
import Koa from 'koa';
import { firstSegment, gatedRoutes, routeFirstSegments, routeTable } from '../../src/http/router-gate.js';

function routers(withAnything = true): Router[] {
  const admin = new Router();
  admin.get('/admin/rules', (ctx) => {
    ctx.body = 'rules';
  });
  admin.post('/admin/rules/reload', (ctx) => {
    ctx.body = 'reload';
  });
  const banner = new Router();
  banner.post(['/getPersonalizedBanner', '/ab/getPersonalizedBanner'], (ctx) => {
    ctx.body = 'banner';
  });
  banner.get('/admin/apps/:appId/experiments/:id', (ctx) => {
    ctx.body = `experiment ${ctx.params.appId} ${ctx.params.id}`;
  });
  const anything = new Router();
  anything.get('/:first/anything', (ctx) => {
    ctx.body = `anything ${ctx.params.first}`;
  });
  const journeys = new Router();
  journeys.get('/v1/user-journeys/users/:id/offers', (ctx) => {
    ctx.body = `offers ${ctx.params.id}`;
  });
  journeys.put('/v1/user-journeys/users/:id', (ctx) => {
    ctx.body = 'put';
  });
  return withAnything ? [admin, banner, anything, journeys] : [admin, banner, journeys];
}

type Wiring = 'plain' | 'gated' | 'table';

async function serve(t: ExecutionContext, wiring: Wiring, withAnything: boolean): Promise<string> {
  const app = new Koa();
  if (wiring === 'table') app.use(routeTable(routers(withAnything)));
  else {
    for (const router of routers(withAnything)) {
      app.use(wiring === 'gated' ? gatedRoutes(router) : router.routes());
      app.use(router.allowedMethods());
    }
  }
  const server = createServer(app.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('the first segment of a path, lower-cased', (t) => {
  t.is(firstSegment('/Admin/rules'), 'admin');
  t.is(firstSegment('/track'), 'track');
  t.is(firstSegment('/track/'), 'track');
  t.is(firstSegment('/'), '');
  t.is(firstSegment('//admin'), '');
});

test('a router with a parameter, a RegExp or a prefix route may match any path', (t) => {
  const [admin, banner, anything] = routers() as [Router, Router, Router];
  t.deepEqual([...(routeFirstSegments(admin) ?? [])], ['admin']);
  t.deepEqual([...(routeFirstSegments(banner) ?? [])].sort(), ['ab', 'admin', 'getpersonalizedbanner']);
  t.is(routeFirstSegments(anything), null);
  const regexp = new Router();
  regexp.get(/^\/x/, (ctx) => {
    ctx.body = 'x';
  });
  t.is(routeFirstSegments(regexp), null);
  const prefix = new Router();
  prefix.use('/api', (_ctx, next) => next());
  t.is(routeFirstSegments(prefix), null);
});

for (const withAnything of [false, true]) {
  const which = withAnything ? 'with' : 'without';
  test(`gated routers and the route table answer every request exactly as the routers themselves do (${which} a router that may match anything)`, async (t) => {
    const [plain, gated, table] = await Promise.all(
      (['plain', 'gated', 'table'] as const).map((wiring) => serve(t, wiring, withAnything)),
    );
    const paths = [
      '/admin/rules',
      '/ADMIN/Rules/',
      '/admin/rules/reload',
      '/getPersonalizedBanner',
      '/getpersonalizedbanner/',
      '/ab/getPersonalizedBanner',
      '/admin/apps/demo/experiments/e1',
      '/v1/user-journeys/users/u1/offers',
      '/V1/user-journeys/users/u1',
      '/zzz/anything',
      '/admin/anything',
      '/nope',
      '/',
      '//admin/rules',
      '/admin',
      '/%61dmin/rules',
    ];
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND'];
    let answered = 0;
    for (const path of paths) {
      for (const method of methods) {
        const [a, b, c] = await Promise.all(
          [plain, gated, table].map(async (base) => {
            const res = await fetch(base + path, { method });
            return { status: res.status, allow: res.headers.get('allow'), body: await res.text() };
          }),
        );
        t.deepEqual(b, a, `gated: ${method} ${path}`);
        t.deepEqual(c, a, `table: ${method} ${path}`);
        if (a?.status === 200) answered += 1;
      }
    }
    t.true(answered > 10);
  });
}
