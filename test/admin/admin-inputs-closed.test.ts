/**
 * An admin action's input is closed: a misspelled field or a `dryRun` the API does not have is
 * a 400 that changes nothing, never the real action (a hostile probe rolled back and pinned an
 * app with `{"hash": …, "dryRun": true}`, and ran a real generation with `?dryRun=true`).
 */
import test from 'ava';
import { startTestService } from '../helpers/start-test-service.js';

const ADMIN = { Authorization: 'Bearer demo-admin-token', 'content-type': 'application/json' };

interface RulesJson {
  apps: { appId: string; active: { hash: string }; history: { hash: string }[]; pinned: unknown }[];
}

test('rollback, reload, generation and catalog sync refuse unknown fields and parameters, and change nothing', async (t) => {
  const s = await startTestService(t);
  const rules = async () =>
    ((await (await s.fetch('/admin/rules', { headers: ADMIN })).json()) as RulesJson).apps.find(
      (a) => a.appId === 'demo',
    );
  const before = await rules();
  const hash = before?.active.hash ?? '';

  const rollback = await s.fetch('/admin/rules/demo/rollback', {
    method: 'POST',
    headers: ADMIN,
    body: JSON.stringify({ hash, dryRun: true }),
  });
  t.is(rollback.status, 400);
  t.like(await rollback.json(), {
    error: { fields: [{ field: 'dryRun', message: 'is not a field of this request' }] },
  });
  t.deepEqual((await rules())?.pinned ?? null, before?.pinned ?? null, 'not pinned');

  const generate = await s.fetch('/admin/apps/demo/journeys/generate?environment=test&dryRun=true', {
    method: 'POST',
    headers: ADMIN,
  });
  t.is(generate.status, 400);
  const runs = (await (await s.fetch('/admin/apps/demo/journeys/runs', { headers: ADMIN })).json()) as {
    runs: unknown[];
  };
  t.deepEqual(runs.runs, [], 'no run');

  // A query where the input is the body, a body where it is the query: refused the same.
  const rollbackQuery = await s.fetch('/admin/rules/demo/rollback?dryRun=1', {
    method: 'POST',
    headers: ADMIN,
    body: JSON.stringify({ hash }),
  });
  t.is(rollbackQuery.status, 400);
  t.like(await rollbackQuery.json(), { error: { fields: [{ field: 'dryRun' }] } });
  t.deepEqual((await rules())?.pinned ?? null, before?.pinned ?? null, 'still not pinned');
  const bodied = (route: string, body: unknown) =>
    s.fetch(route, { method: 'POST', headers: ADMIN, body: JSON.stringify(body) });
  t.is((await bodied('/admin/apps/demo/journeys/generate', { environment: 'test' })).status, 400);
  t.is((await bodied('/admin/rules/reload', { app: 'nosuch' })).status, 400);
  t.is((await bodied('/admin/apps/demo/catalog/sync', { wall: 1002 })).status, 400);
  const stillNoRun = (await (await s.fetch('/admin/apps/demo/journeys/runs', { headers: ADMIN })).json()) as {
    runs: unknown[];
  };
  t.deepEqual(stillNoRun.runs, [], 'still no run');
  // An empty body, or {}, is none: what the console sends.
  t.is((await bodied('/admin/rules/reload?app=demo', {})).status, 200);
  t.is(
    (await s.fetch('/admin/rules/reload?app=demo&dryRun=1', { method: 'POST', headers: ADMIN })).status,
    400,
  );
  t.is(
    (await s.fetch('/admin/apps/demo/catalog/sync?dryRun=1', { method: 'POST', headers: ADMIN })).status,
    400,
  );
});
