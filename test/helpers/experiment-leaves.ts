/**
 * Scenarios of an experiment's bucket version leaving the live rules (a rollback of a bump,
 * the experiment removed), run on each store: the end they record must be as durable as a
 * stop's (BannerStore.endVersions).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { getResults, postBanner, postTrack, sdkEvent } from './banner-client.js';
import { ADMIN, type TestService } from './start-test-service.js';

const BUY = 'SpecialOfferPopupPurchased';
const ID = 'champion-spotlight';

interface Scenario {
  t: ExecutionContext;
  s: TestService;
  rulesDir: string;
}

/** Players champion-spotlight takes, served once. */
async function fans(s: TestService, prefix: string, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const userId = `${prefix}-${i}`;
    const render = await postBanner(s, { userId, offerId: '1', activeChamp: 'ahri' });
    if (render.body.kibotuMetadata.experimentId === ID) out.push(userId);
  }
  return out;
}

async function post(s: TestService, route: string, body?: unknown) {
  const res = await s.fetch(route, {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Reloads demo from disk; the activated outcome's warnings. */
async function reload(t: ExecutionContext, s: TestService): Promise<string[]> {
  const { status, body } = await post(s, '/admin/rules/reload?app=demo');
  t.is(status, 200);
  const [outcome] = body.outcomes as { result: string; warnings: string[] }[];
  t.is(outcome?.result, 'activated');
  return outcome?.warnings ?? [];
}

async function conversions(s: TestService, query = ''): Promise<number> {
  const { body } = await getResults(s, ID, query);
  return body.variations.reduce((n, v) => n + (v.metrics[BUY]?.conversions ?? 0), 0);
}

const has = (t: ExecutionContext, warnings: readonly string[], pattern: RegExp) =>
  t.true(
    warnings.some((w) => pattern.test(w)),
    `${pattern} in ${JSON.stringify(warnings)}`,
  );

/**
 * Account-manager probe: rules at bucket version 3 rolled back to a snapshot at 2 answered no
 * warning, version 3's results were a 404, and what its players bought while served version 2
 * was credited to 3 once it ran again.
 */
export async function rollbackOfBump({ t, s, rulesDir }: Scenario): Promise<void> {
  const file = path.join(rulesDir, 'demo', 'banner.yaml');
  const shipped = await readFile(file, 'utf8');
  const original = s.registry.current('demo')?.hash ?? '';
  await writeFile(
    file,
    shipped.replace(/^version: \d+$/m, 'version: 2').replace('bucketVersion: 2', 'bucketVersion: 3'),
  );
  t.deepEqual(await reload(t, s), [], 'a bump up is what bumping is for: no warning');
  const players = await fans(s, 'bumped', 6);
  t.is((await getResults(s, ID)).body.bucketVersion, 3);

  const back = await post(s, '/admin/rules/demo/rollback', { hash: original });
  t.is(back.status, 200);
  const warnings = back.body.warnings as string[];
  has(
    t,
    warnings,
    /experiment 'champion-spotlight' goes from bucket version 3 back to 2: bucket version 3 ends now/,
  );
  has(
    t,
    warnings,
    /goes from bucket version 3 to 2, which had ended, and is running again at bucket version 2/,
  );

  // Served version 2 now; what they buy is no version 3 conversion.
  const reply = await postTrack(
    s,
    players.map((u) => sdkEvent(u, BUY)),
  );
  t.is(reply.status, 200);
  const v3 = await getResults(s, ID, '?bucketVersion=3');
  t.is(v3.status, 200, 'version 3 has stored assignments: its results stay readable');
  t.is(
    v3.body.variations.reduce((n, v) => n + v.users, 0),
    players.length,
  );
  t.regex(String(v3.body.endedAt), /^\d{4}-\d\d-\d\dT/);
  t.is(await conversions(s, '?bucketVersion=3'), 0);

  // The files on disk (version 3) again: an ended version runs again, said so, and the
  // purchases made while version 2 served stay uncredited.
  has(t, await reload(t, s), /goes from bucket version 2 to 3, which had ended, and is running again/);
  t.is(await conversions(s), 0);
}

/**
 * Account-manager probe: champion-spotlight's block deleted went live with no warning, and
 * once restored it was credited with what its players did meanwhile, served the default banner.
 */
export async function removedAndRestored({ t, s, rulesDir }: Scenario): Promise<void> {
  const players = await fans(s, 'removed', 6);
  const file = path.join(rulesDir, 'demo', 'banner.yaml');
  const shipped = await readFile(file, 'utf8');
  const experiment = /\n {4}- id: champion-spotlight\n {6}description:[\s\S]*?\n(?=\n {4}- id: winter-event)/;
  const banner =
    /\n {4}- id: champion-spotlight\n {6}experiment: champion-spotlight\n[\s\S]*?\n(?=\n {4}- id: winter-snow)/;
  const without = shipped
    .replace(experiment, '')
    .replace(banner, '')
    .replace(/^version: \d+$/m, 'version: 2');
  t.false(without.includes(ID));
  await writeFile(file, without);
  has(
    t,
    await reload(t, s),
    /experiment 'champion-spotlight' leaves the rules \(bucket version 2\): bucket version 2 ends now/,
  );

  const reply = await postTrack(
    s,
    players.map((u) => sdkEvent(u, BUY)),
  );
  t.is(reply.status, 200);

  await writeFile(file, shipped.replace(/^version: \d+$/m, 'version: 3'));
  has(
    t,
    await reload(t, s),
    /experiment 'champion-spotlight' returns to the rules at bucket version 2, which had ended, and is running again/,
  );
  const { body } = await getResults(s, ID);
  t.regex(String(body.endedAt), /^\d{4}-\d\d-\d\dT/);
  t.is(
    body.variations.reduce((n, v) => n + v.users, 0),
    players.length,
  );
  t.is(await conversions(s), 0, 'bought while the experiment was not in the rules');
}
