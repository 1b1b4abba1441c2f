import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { getResults, postBanner } from '../helpers/banner-client.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { ADMIN, startTestService } from '../helpers/start-test-service.js';

interface Results {
  sampleRatio: {
    mismatch: boolean;
    pValue: number;
    counts: { variationId: number; users: number; expected: number }[];
  };
  splits: { weights: string; users: number }[];
  variations: { variationId: number; users: number; verdict: string | null; verdictReason: string | null }[];
}

// An account manager changed champion-spotlight from 20/80 to 50/50 while it had users: the
// reload said nothing, and the results at once called the split broken (p 7.6e-16) and forced
// every verdict inconclusive, though every user had been bucketed correctly under 20/80.
test('a weight change of a running experiment: the reload warns, and users assigned before keep a sound split check', async (t) => {
  const dir = await copyOfShippedRules(t);
  const s = await startTestService(t, { env: { OFFERD_STORE: 'memory', OFFERD_RULES_DIR: dir } });
  for (let i = 0; i < 60; i++) await postBanner(s, { userId: `fan-${i}`, offerId: '1', activeChamp: 'ahri' });
  const before = (await getResults(s, 'champion-spotlight')).body as unknown as Results;
  t.false(before.sampleRatio.mismatch);

  const file = path.join(dir, 'demo', 'banner.yaml');
  const text = await readFile(file, 'utf8');
  // Each edit bumps the file's version, as an author should: an unbumped edit has its own warning.
  const changed = text
    .replace(/^version: 1$/m, 'version: 2')
    .replace('- { id: 0, name: control, weight: 20 }', '- { id: 0, name: control, weight: 50 }')
    .replace('- { id: 1, name: spotlight, weight: 80 }', '- { id: 1, name: spotlight, weight: 50 }');
  t.not(changed, text, 'the shipped champion-spotlight is 20/80');
  await writeFile(file, changed);
  const reload = await s.fetch('/admin/rules/reload?app=demo', { method: 'POST', headers: ADMIN });
  t.is(reload.status, 200);
  const { outcomes } = (await reload.json()) as { outcomes: { result: string; warnings?: string[] }[] };
  t.is(outcomes[0]?.result, 'activated');
  const warning = outcomes[0]?.warnings?.find((w) => w.includes("'champion-spotlight'"));
  t.truthy(warning, JSON.stringify(outcomes));
  t.regex(warning ?? '', /from 0:20 \/ 1:80 to 0:50 \/ 1:50/);
  // Its variations line, where the weights are (it named the eligibility, lines above).
  const lines = changed.split('\n');
  const entry = lines.indexOf('    - id: champion-spotlight');
  const variations = lines.findIndex((l, i) => i > entry && l.trim() === 'variations:');
  t.regex(warning ?? '', new RegExp(`banner\\.yaml:${variations + 1}:7 experiment`));
  t.regex(warning ?? '', /already has 60 assigned users: they keep their variation/);
  t.regex(warning ?? '', /bump bucketVersion/);
  const status = (await (await s.fetch('/admin/rules', { headers: ADMIN })).json()) as {
    apps: { appId: string; warnings: { message: string }[] }[];
  };
  const demo = status.apps.find((a) => a.appId === 'demo');
  t.true(demo?.warnings.some((w) => w.message === warning?.replace(/^.*?:\d+:\d+ /, '')));

  // The 60 users stay where 20/80 put them; the check compares them with 20/80, not 50/50.
  const after = (await getResults(s, 'champion-spotlight')).body as unknown as Results;
  t.deepEqual(
    after.variations.map((v) => v.users),
    before.variations.map((v) => v.users),
  );
  t.false(after.sampleRatio.mismatch, `p ${after.sampleRatio.pValue}`);
  t.deepEqual(
    after.sampleRatio.counts.map((c) => c.expected),
    [12, 48],
  );
  // New users are split 50/50, and expected as such: the check is the mixture of both splits.
  for (let i = 60; i < 100; i++)
    await postBanner(s, { userId: `fan-${i}`, offerId: '1', activeChamp: 'ahri' });
  const mixed = (await getResults(s, 'champion-spotlight')).body as unknown as Results;
  t.deepEqual(
    mixed.sampleRatio.counts.map((c) => c.expected),
    [32, 68],
  );
  t.false(mixed.sampleRatio.mismatch, `p ${mixed.sampleRatio.pValue}`);
  // The arms now mix two periods in different proportions: the results say so, and give no verdict.
  t.deepEqual(mixed.splits, [
    { weights: '0:20,1:80', users: 60 },
    { weights: '0:50,1:50', users: 40 },
  ]);
  t.is(mixed.variations[1]?.verdict, 'inconclusive');
  t.regex(
    mixed.variations[1]?.verdictReason ?? '',
    /^no verdict: the weights changed while the experiment ran \(60 users under 0:20,1:80, 40 users under 0:50,1:50\)/,
  );

  // Without assigned users a weight change says nothing: winter-event has none.
  const quiet = (await readFile(file, 'utf8'))
    .replace(/^version: 2$/m, 'version: 3')
    .replace(
      '- { id: 0, name: control, weight: 50 }\n        - { id: 1, name: snow',
      '- { id: 0, name: control, weight: 30 }\n        - { id: 1, name: snow',
    );
  await writeFile(file, quiet);
  const second = (await (
    await s.fetch('/admin/rules/reload?app=demo', { method: 'POST', headers: ADMIN })
  ).json()) as {
    outcomes: { result: string; warnings?: string[] }[];
  };
  t.is(second.outcomes[0]?.result, 'activated');
  t.deepEqual(second.outcomes[0]?.warnings, []);

  // A stopped experiment splits nobody: stopping it with other weights (as a rollback to an
  // older snapshot does) warns of no split.
  const stopped = (await readFile(file, 'utf8'))
    .replace(/^version: 3$/m, 'version: 4')
    .replace(
      "id: champion-spotlight\n      description: Show the player's champion on the banner (re-randomized once, hence bucketVersion 2)\n      status: running",
      "id: champion-spotlight\n      description: Show the player's champion on the banner (re-randomized once, hence bucketVersion 2)\n      status: stopped",
    )
    .replace(
      '- { id: 0, name: control, weight: 50 }\n        - { id: 1, name: spotlight, weight: 50 }',
      '- { id: 0, name: control, weight: 20 }\n        - { id: 1, name: spotlight, weight: 80 }',
    );
  t.regex(stopped, /status: stopped/);
  t.regex(stopped, /control, weight: 20 \}\n {8}- \{ id: 1, name: spotlight, weight: 80/);
  await writeFile(file, stopped);
  const third = (await (
    await s.fetch('/admin/rules/reload?app=demo', { method: 'POST', headers: ADMIN })
  ).json()) as { outcomes: { result: string; warnings?: string[] }[] };
  t.is(third.outcomes[0]?.result, 'activated');
  t.false(
    (third.outcomes[0]?.warnings ?? []).some((w) => w.includes('changes its weights')),
    JSON.stringify(third.outcomes[0]?.warnings),
  );
});

// An account manager swapped champion-spotlight's primary metric after seeing its results:
// the verdicts were recomputed on the new metric in silence, and swapping back restored them.
test('a new primary metric for a running experiment with users: the reload warns; one nobody entered yet is silent', async (t) => {
  const dir = await copyOfShippedRules(t);
  const s = await startTestService(t, { env: { OFFERD_STORE: 'memory', OFFERD_RULES_DIR: dir } });
  const file = path.join(dir, 'demo', 'banner.yaml');
  let metricsLine = 0;
  const swap = async (version: number, edit: (text: string) => string) => {
    const text = await readFile(file, 'utf8');
    const changed = edit(text.replace(/^version: \d+$/m, `version: ${version}`));
    t.not(changed, text);
    await writeFile(file, changed);
    const lines = changed.split('\n');
    const entry = lines.indexOf('    - id: champion-spotlight');
    metricsLine = lines.findIndex((l, i) => i > entry && l.trim() === 'metrics:') + 1;
    const reload = await s.fetch('/admin/rules/reload?app=demo', { method: 'POST', headers: ADMIN });
    const { outcomes } = (await reload.json()) as { outcomes: { result: string; warnings?: string[] }[] };
    t.is(outcomes[0]?.result, 'activated', JSON.stringify(outcomes));
    return (outcomes[0]?.warnings ?? []).filter((w) => w.includes('decides its verdict'));
  };
  // Purchased and Opened trade places in the spotlight's metrics (primary and secondary).
  const swapMetrics = (text: string) => {
    const at = text.indexOf('- id: champion-spotlight');
    const end = text.indexOf('bucketVersion: 2', at);
    const block = text
      .slice(at, end)
      .replaceAll('SpecialOfferPopupPurchased', '@')
      .replaceAll('SpecialOfferPopupOpened', 'SpecialOfferPopupPurchased')
      .replaceAll('@', 'SpecialOfferPopupOpened');
    return text.slice(0, at) + block + text.slice(end);
  };
  t.deepEqual(await swap(2, swapMetrics), [], 'nobody assigned yet: nothing to warn about');
  for (let i = 0; i < 10; i++) await postBanner(s, { userId: `fan-${i}`, offerId: '1', activeChamp: 'ahri' });
  const warnings = await swap(3, swapMetrics);
  t.is(warnings.length, 1, JSON.stringify(warnings));
  t.regex(
    warnings[0] ?? '',
    /experiment 'champion-spotlight' changes what decides its verdict from SpecialOfferPopupOpened to SpecialOfferPopupPurchased at bucket version 2, which already has 10 assigned users/,
  );
  t.regex(warnings[0] ?? '', /bump bucketVersion/);
  // At its metrics line (it named the eligibility, lines above).
  t.regex(warnings[0] ?? '', new RegExp(`banner\\.yaml:${metricsLine}:7 experiment`));
});
