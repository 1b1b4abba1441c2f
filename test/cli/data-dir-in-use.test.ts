import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test from 'ava';
import { startOfferdProcess } from '../helpers/offerd-process.js';
import { freePort } from '../helpers/postgres-server.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A real process, as an operator starts it next to a running server: exit code and stderr. */
async function run(args: string[], env: Record<string, string>): Promise<{ code: number; err: string }> {
  const options = { env: { ...process.env, NODE_ENV: 'development', ...env }, timeout: 60_000 };
  try {
    const { stderr } = await promisify(execFile)(process.execPath, args, options);
    return { code: 0, err: stderr };
  } catch (err) {
    const failed = err as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, err: failed.stderr ?? String(err) };
  }
}

const STACK_LINE = /^\s+at /m;

test('while the server holds its data dir, a CLI command and a second server exit non-zero saying who holds it', async (t) => {
  t.timeout(180_000);
  const dir = await tempDir(t, 'offerd-in-use-');
  const env = { OFFERD_STORE: 'lowdb', OFFERD_DATA_DIR: dir, LOG_LEVEL: 'warn' };
  const server = await startOfferdProcess(env);
  t.teardown(() => server.stop());
  const inUse = `the data directory ${dir} is in use by offerd process ${server.child.pid} `;

  const generate = await run(['bin/offerd.js', 'journeys', 'generate', '--app', 'demo'], env);
  t.is(generate.code, 1, generate.err);
  t.true(generate.err.startsWith(`offerd journeys: ${inUse}`), generate.err);
  // An account manager is pointed at the running service, never told to stop production.
  t.notRegex(generate.err, /stop that process/);
  t.regex(
    generate.err,
    /ask it instead, POST \/admin\/apps\/demo\/journeys\/generate .*console's Operations page/,
  );
  t.regex(generate.err, /OFFERD_STORE=postgres/);
  t.notRegex(generate.err, STACK_LINE);

  const explain = await run(['bin/offerd.js', 'explain', '--app', 'demo', '--user', 'someone'], env);
  t.is(explain.code, 1, explain.err);
  t.true(explain.err.startsWith(`offerd explain: ${inUse}`), explain.err);
  t.notRegex(explain.err, /stop that process/);
  t.regex(
    explain.err,
    // The route explains one API a call: the hint names the field it requires (it once left it out).
    /ask it instead, POST \/admin\/apps\/demo\/explain with \{"api": "banner\|offerwall\|journeys", "user": "someone"\} .*console's Explain a player page/,
  );
  t.notRegex(explain.err, STACK_LINE);
  t.regex(explain.err, /\(offerwall: with "request": \{"numoffers":10\}\)/);

  // The hint for one API is a body the route takes as it is: the offerwall's explains a
  // decision, not the offerwall's own refusal of a request without numoffers.
  const offerwall = await run(
    ['bin/offerd.js', 'explain', '--app', 'demo', '--user', 'someone', '--api', 'offerwall'],
    env,
  );
  const hinted = /explain with (\{.*\}) \(admin token\)/.exec(offerwall.err)?.[1];
  t.truthy(hinted, offerwall.err);
  const answer = await fetch(`${server.url}/admin/apps/demo/explain`, {
    method: 'POST',
    headers: { Authorization: 'Bearer demo-admin-token', 'Content-Type': 'application/json' },
    body: hinted ?? '{}',
  });
  t.is(answer.status, 200);
  const explained = (await answer.json()) as { decision?: { status?: number; error?: string } };
  t.truthy(explained.decision, JSON.stringify(explained));
  t.not(explained.decision?.error, 'INVALID_PARAMETER', JSON.stringify(explained.decision));

  const replay = await run(['bin/offerd.js', 'diff', '--replay', '--app', 'demo', 'rules'], env);
  t.is(replay.code, 1, replay.err);
  t.true(replay.err.startsWith(`offerd diff: ${inUse}`), replay.err);
  t.regex(replay.err, /ask it instead, POST \/admin\/apps\/demo\/impact .*console's Impact of a change page/);

  const second = await run(['--import', 'tsx', 'src/main.ts'], {
    ...env,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
  });
  t.is(second.code, 1, second.err);
  t.true(second.err.includes(`offerd: failed to start: ${inUse}`), second.err);
  t.regex(
    second.err,
    /stop that process first, or use PostgreSQL/,
    'a second server is told to stop the first',
  );
  t.notRegex(second.err, STACK_LINE);
  t.is((await fetch(`${server.url}/healthz`)).status, 200, 'the server holding the dir runs on');

  // Stopped, the server has released the dir: the same command works.
  await server.stop();
  const after = await run(['bin/offerd.js', 'journeys', 'generate', '--app', 'demo'], env);
  t.is(after.code, 0, after.err);
});
