import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import Koa from 'koa';
import { AppError } from '../../src/http/app-error.js';
import { bodyReader } from '../../src/http/body-reader.js';

/** bodyReader alone in a Koa app: its refusals as status and problems. */
async function serve(t: import('ava').ExecutionContext): Promise<string> {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      ctx.status = err.status;
      ctx.body = { code: err.code, problems: err.fields };
    }
  });
  app.use(bodyReader({ limit: '1mb' }));
  app.use((ctx) => {
    ctx.body = { read: true };
  });
  const server = app.listen(0);
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const gzipped = (text: string) =>
  ({
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: gzipSync(text, { level: 9 }),
  }) as const;

/** CPU of this process (the server and its client) over `n` requests of `init`. */
async function cpuOf(url: string, init: RequestInit, n: number): Promise<{ us: number; status: number }> {
  const before = process.cpuUsage();
  let status = 0;
  for (let i = 0; i < n; i++) {
    const res = await fetch(url, init);
    await res.arrayBuffer();
    status = res.status;
  }
  const used = process.cpuUsage(before);
  return { us: used.user + used.system, status };
}

test('a body nested 400,000 levels deep is refused before it is parsed: less CPU than parsing a flat one its size', async (t) => {
  const url = await serve(t);
  // ~1 KB on the wire each, ~800 KB once inflated.
  const deep = gzipped(`${'['.repeat(400_000)}${']'.repeat(400_000)}`);
  // Within the bound on members (100,000), so parsed whole: ~800 KB of short strings.
  const flat = gzipped(`[${'"abcdefg",'.repeat(79_999)}"abcdefg"]`);
  const refused = await fetch(url, deep);
  t.is(refused.status, 400);
  t.like(await refused.json(), { problems: [{ field: 'body', message: 'is nested deeper than 32 levels' }] });

  // In one run, interleaved: the deep body must not cost more than the flat one's parse.
  // JSON.parse of the deep one had cost ~12 times the flat one's (200 against 16 ms).
  let deepUs = 0;
  let flatUs = 0;
  for (let round = 0; round < 3; round++) {
    deepUs += (await cpuOf(url, deep, 3)).us;
    const f = await cpuOf(url, flat, 3);
    // Parsed whole, then refused by the bound on items (2,000 per array).
    t.is(f.status, 400);
    flatUs += f.us;
  }
  t.log(`CPU: deep ${Math.round(deepUs / 9000)} ms, flat ${Math.round(flatUs / 9000)} ms per request`);
  t.true(deepUs < flatUs * 2, `deep ${deepUs} µs, flat ${flatUs} µs`);
});

test('a 1 KB gzip body inflating to 260,000 `{}` is refused before it is parsed, with what it holds; a body within the bound is read', async (t) => {
  const url = await serve(t);
  const wide = `{"a":[${Array(130)
    .fill(`[${Array(1999).fill('{}').join(',')}]`)
    .join(',')}]}`;
  const bomb = gzipped(wide);
  t.true(bomb.body.length < 2_000, `${bomb.body.length} bytes on the wire`);
  const refused = await fetch(url, bomb);
  t.is(refused.status, 400);
  t.like(await refused.json(), {
    problems: [{ field: 'body', message: 'holds more than 20000 objects and arrays' }],
  });
  const within = await fetch(url, gzipped(`[${Array(1999).fill('{}').join(',')}]`));
  t.is(within.status, 200);
});

test('a 1 KB gzip body inflating to 500,000 zeros is refused before it is parsed, naming the bound; 2,000 items are read', async (t) => {
  const url = await serve(t);
  const bomb = gzipped(`{"a":[${Array(499_990).fill('0').join(',')}]}`);
  t.true(bomb.body.length < 2_000, `${bomb.body.length} bytes on the wire`);
  const refused = await fetch(url, bomb);
  t.is(refused.status, 400);
  t.like(await refused.json(), {
    problems: [{ field: 'body', message: 'holds more than 100000 array items and object members' }],
  });
  const within = await fetch(url, gzipped(`{"a":[${Array(2000).fill('0').join(',')}]}`));
  t.is(within.status, 200);
});

test('a bracket or quote inside a string is text: deep-looking strings pass, prototype keys are still refused', async (t) => {
  const url = await serve(t);
  const post = (body: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await post(JSON.stringify({ note: `${'['.repeat(100)} \\" {{{`, list: [[[1]]] }));
  t.is(text.status, 200);
  const proto = await post('{"a":{"__proto__":{"admin":true}}}');
  t.is(proto.status, 400);
  t.like(await proto.json(), { problems: [{ field: '__proto__', message: 'key is not allowed' }] });
  const scalar = await post('"just a string"');
  t.is(scalar.status, 400);
  t.like(await scalar.json(), { problems: [{ field: 'body', message: 'is not valid JSON' }] });
  const empty = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' } });
  t.is(empty.status, 200, 'an empty body reads as {}');
});
