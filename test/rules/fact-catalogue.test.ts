import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { runCli } from '../../src/cli/main.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no '${from}'`);
  await writeFile(file, text.replace(from, to));
}

test('validate catches a misspelled fact at file:line:col and suggests the name the API provides', async (t) => {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'banner-segments.yaml');
  await edit(file, 'fact: user.daysSinceLastSeen\n', 'fact: user.daysSinceLastSeenAt\n');
  const c = capture();
  t.is(await runCli(['validate', dir], c.io), 1);
  t.regex(
    c.err.join('\n'),
    /banner-segments\.yaml:11:\d+ the banner API provides no fact 'user\.daysSinceLastSeenAt' \(did you mean 'user\.daysSinceLastSeen'\?\); segment 'lapsed' is used by banner rules/,
  );
});

test("a segment written for one API and used by another API's rules is reported at the segment", async (t) => {
  const dir = await copyOfShippedRules(t);
  // engaged-non-payer reads context.level, which only banner requests carry.
  await edit(
    path.join(dir, 'demo', 'offerwall.yaml'),
    'when: { segment: dach }',
    'when: { segment: engaged-non-payer }',
  );
  const c = capture();
  t.is(await runCli(['validate', dir], c.io), 1);
  t.regex(
    c.err.join('\n'),
    /banner-segments\.yaml:\d+:\d+ the offerwall API provides no fact 'context\.level'.*segment 'engaged-non-payer' is used by offerwall rules/,
  );
});

test('client context keys, counters by event name and /engage properties stay open to banner rules; the offerwall has none', async (t) => {
  const dir = await copyOfShippedRules(t);
  const open = `when:
        all:
          - { fact: context.guildRank, operator: greaterThan, value: 2 }
          - { fact: user.eventCounts.ChestOpened, operator: greaterThan, value: 5 }
          - { fact: user.properties.vip_level, operator: greaterThan, value: 1 }
      image: https://cdn.offerd.example/banners/welcome-back/`;
  await edit(
    path.join(dir, 'demo', 'banner.yaml'),
    'when:\n        segment: lapsed\n      image: https://cdn.offerd.example/banners/welcome-back/',
    open,
  );
  const c = capture();
  t.is(await runCli(['validate', dir], c.io), 0, c.err.join('\n'));
  await edit(
    path.join(dir, 'demo', 'offerwall.yaml'),
    'when: { segment: dach }',
    'when: { fact: context.guildRank, operator: greaterThan, value: 2 }',
  );
  const o = capture();
  t.is(await runCli(['validate', dir], o.io), 1);
  t.regex(o.err.join('\n'), /offerwall\.yaml:21:\d+ the offerwall API provides no fact 'context\.guildRank'/);
});

test('a banner-only fact used through a segment in journeys rules is reported at the segment, with the journeys name', async (t) => {
  const dir = await copyOfShippedRules(t);
  // lapsed reads user.daysSinceLastSeen, which only the banner API computes; journeys has profile.daysSinceLastSeen.
  await edit(
    path.join(dir, 'demo', 'journeys-offers.yaml'),
    'conditions: { segment: journeys-big-spender }',
    'conditions: { segment: lapsed }',
  );
  const c = capture();
  t.is(await runCli(['validate', dir], c.io), 1);
  t.regex(
    c.err.join('\n'),
    /banner-segments\.yaml:11:\d+ the journeys API provides no fact 'user\.daysSinceLastSeen' \(did you mean 'profile\.daysSinceLastSeen'\?\); segment 'lapsed' is used by journeys rules/,
  );
  t.is(c.err.length, 2, c.err.join('\n'));
});

test('journeys rules: a misspelled fact in an offer trigger is located and the closest journeys fact suggested; tags stay open', async (t) => {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'journeys-offers.yaml');
  await edit(
    file,
    'conditions: { segment: journeys-big-spender }',
    'conditions: { fact: profile.plays7days, operator: greaterThan, value: 3 }',
  );
  const c = capture();
  t.is(await runCli(['validate', dir], c.io), 1);
  t.regex(
    c.err.join('\n'),
    /journeys-offers\.yaml:32:\d+ the journeys API provides no fact 'profile\.plays7days' \(did you mean 'profile\.plays7d'\?\)/,
  );
  await edit(file, 'profile.plays7days', 'user.tags.guild');
  const ok = capture();
  t.is(await runCli(['validate', dir], ok.io), 0, ok.err.join('\n'));
});

test('special offers: a misspelled fact in a specialOffers rule is located with the closest special-offer fact; propOverrides and assignments stay open', async (t) => {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'banner.yaml');
  await edit(file, 'fact: user.properties.vip_level\n', 'fact: user.purchase\n');
  const c = capture();
  t.is(await runCli(['validate', dir], c.io), 1);
  t.regex(
    c.err.join('\n'),
    /banner\.yaml:151:\d+ the special-offer API provides no fact 'user\.purchase' \(did you mean 'user\.purchases'\?\)/,
  );
  // A banner request field the /feature call never carries is caught too.
  await edit(file, 'fact: user.purchase\n', 'fact: request.offerId\n');
  const banner = capture();
  t.is(await runCli(['validate', dir], banner.io), 1);
  t.regex(
    banner.err.join('\n'),
    /banner\.yaml:151:\d+ the special-offer API provides no fact 'request\.offerId'/,
  );
  await edit(
    file,
    'fact: request.offerId\n        operator: greaterThanInclusive\n        value: 3\n',
    'all:\n          - { fact: context.level, operator: greaterThan, value: 3 }\n          - { fact: assignments.payer-upsell, operator: equal, value: 1 }\n          - { fact: request.trigger, operator: equal, value: level_up }\n',
  );
  const ok = capture();
  t.is(await runCli(['validate', dir], ok.io), 0, ok.err.join('\n'));
});

/** `file:line:col` of the first `needle` in `file`, as validate prints it. */
async function at(file: string, needle: string): Promise<string> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  if (line < 0) throw new Error(`${file} has no '${needle}'`);
  return `${path.basename(file)}:${line + 1}:${(lines[line] as string).indexOf(needle) + 1}`;
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test("a fact read on a condition's value side is checked like the condition's own fact, in every kind", async (t) => {
  const dir = await copyOfShippedRules(t);
  const banner = path.join(dir, 'demo', 'banner.yaml');
  // A banner rule (banner API), a special offer (special-offer API).
  await edit(
    banner,
    'when:\n        segment: lapsed\n',
    'when:\n        fact: user.renders\n        operator: greaterThan\n        value: { fact: user.purchasez }\n',
  );
  await edit(
    banner,
    'operator: lessThan\n        value: 100',
    'operator: lessThan\n        value: { fact: request.offerId }',
  );
  // The offerwall, with the reference's path joined on to its fact.
  const offerwall = path.join(dir, 'demo', 'offerwall.yaml');
  await edit(offerwall, 'value: 1001 }', 'value: { fact: request, path: wallid } }');
  // A journeys offer trigger, and a classification condition (stage not known yet there).
  const journeysOffers = path.join(dir, 'demo', 'journeys-offers.yaml');
  await edit(
    journeysOffers,
    'conditions: { segment: journeys-big-spender }',
    'conditions: { fact: profile.plays7d, operator: greaterThan, value: { fact: profile.plays30days } }',
  );
  const journeys = path.join(dir, 'demo', 'journeys.yaml');
  await edit(
    journeys,
    'operator: greaterThan, value: 30 }',
    'operator: greaterThan, value: { fact: profile.churnRisk } }',
  );
  // A segment used by offerwall rules: `context` is the banner's, not the offerwall's.
  const segments = path.join(dir, 'demo', 'offerwall-segments.yaml');
  await edit(
    segments,
    'fact: user.completions\n        operator: equal\n        value: 0',
    'fact: user.completions\n        operator: equal\n        value: { fact: context.minPurchasez }',
  );
  const c = capture();
  t.is(await runCli(['validate', dir], c.io), 1);
  const err = c.err.join('\n');
  const expected: [string, string][] = [
    [
      await at(banner, 'user.purchasez'),
      "the banner API provides no fact 'user.purchasez' (did you mean 'user.purchases'?)",
    ],
    [await at(banner, 'request.offerId'), "the special-offer API provides no fact 'request.offerId'"],
    [
      await at(offerwall, 'request, path: wallid'),
      "the offerwall API provides no fact 'request.wallid' (did you mean 'request.wallId'?)",
    ],
    [
      await at(journeysOffers, 'profile.plays30days'),
      "the journeys API provides no fact 'profile.plays30days' (did you mean 'profile.plays30d'?)",
    ],
    [
      await at(journeys, 'profile.churnRisk'),
      "'profile.churnRisk' is not known yet while stage, tier and churn risk are computed",
    ],
    [await at(segments, 'context.minPurchasez'), "the offerwall API provides no fact 'context.minPurchasez'"],
  ];
  for (const [where, message] of expected)
    t.regex(err, new RegExp(`${literal(where)} ${literal(message)}`), err);
  t.is(c.err.length, expected.length + 1, err);
});

test("a value's fact reference with a path that is not dotted keys is refused at the path", async (t) => {
  const dir = await copyOfShippedRules(t);
  const banner = path.join(dir, 'demo', 'banner.yaml');
  await edit(
    banner,
    'operator: lessThan\n        value: 100',
    'operator: lessThan\n        value: { fact: user, path: "$[" }',
  );
  const c = capture();
  t.is(await runCli(['validate', dir], c.io), 1);
  t.regex(
    c.err.join('\n'),
    new RegExp(
      `${literal(await at(banner, '"$["'))} a value's path must be keys joined by '\\.', like 'limits\\.daily'.*\\(found "\\$\\["\\)`,
    ),
  );
  t.is(c.err.length, 2, c.err.join('\n'));
  // Nor a fact that is not a name, nor keys json-rules-engine does not read.
  await edit(banner, '{ fact: user, path: "$[" }', '{ fact: 12, paht: x }');
  const o = capture();
  t.is(await runCli(['validate', dir], o.io), 1);
  t.regex(
    o.err.join('\n'),
    /a value with 'fact' reads that fact at run time and takes only fact, path, params \(found paht\)/,
  );
  t.regex(o.err.join('\n'), /a value's fact must be a fact name like 'user\.purchases' \(found 12\)/);
});

test('a well-written value-side fact reference validates, through a segment too', async (t) => {
  const dir = await copyOfShippedRules(t);
  await edit(
    path.join(dir, 'demo', 'banner.yaml'),
    'when:\n        segment: lapsed\n',
    'when:\n        fact: user.renders\n        operator: greaterThan\n        value: { fact: user, path: purchases }\n',
  );
  await edit(
    path.join(dir, 'demo', 'banner-segments.yaml'),
    'operator: greaterThanInclusive\n        value: 14',
    'operator: greaterThanInclusive\n        value: { fact: context.lapsedAfterDays }',
  );
  await edit(
    path.join(dir, 'demo', 'offerwall.yaml'),
    'operator: in, value: [ios, android] }',
    'operator: equal, value: { fact: request.device } }',
  );
  const c = capture();
  t.is(await runCli(['validate', dir], c.io), 0, c.err.join('\n'));
});

test('a segment no rule uses is checked too: against every fact some API provides', async (t) => {
  const dir = await copyOfShippedRules(t);
  const segments = path.join(dir, 'demo', 'segments.yaml');
  // whale is defined for later; no rule uses it yet.
  await edit(
    segments,
    'fact: user.purchases\n        operator: greaterThanInclusive\n        value: 3',
    'fact: user.purchasez\n        operator: greaterThanInclusive\n        value: 3',
  );
  const c = capture();
  t.is(await runCli(['validate', dir], c.io), 1);
  t.regex(
    c.err.join('\n'),
    new RegExp(
      `${literal(await at(segments, 'user.purchasez'))} no API \\(banner, special-offer, offerwall, journeys\\) provides fact 'user\\.purchasez' \\(did you mean 'user\\.purchases'\\?\\); segment 'whale' is used by no rules yet`,
    ),
  );
  t.is(c.err.length, 2, c.err.join('\n'));
  // A fact only one API provides is fine in a segment nobody uses yet: it may be meant for that API.
  await edit(segments, 'fact: user.purchasez', 'fact: profile.plays7d');
  const ok = capture();
  t.is(await runCli(['validate', dir], ok.io), 0, ok.err.join('\n'));
});

test('a misspelled open fact is matched with its key: contxt.activeChamp suggests context.activeChamp', async (t) => {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'banner-segments.yaml');
  await edit(file, 'fact: user.daysSinceLastSeen\n', 'fact: contxt.activeChamp\n');
  const c = capture();
  t.is(await runCli(['validate', dir], c.io), 1);
  t.regex(
    c.err.join('\n'),
    /provides no fact 'contxt\.activeChamp' \(did you mean 'context\.activeChamp'\?\)/,
  );
});

// Account-manager check: `request.countryIso2 in [de, fr]` validated and never matched: the
// APIs hand rules upper-case countries.
test('a country compared with a value no country ever is (lower case, a name) is refused at the value', async (t) => {
  const dir = await copyOfShippedRules(t);
  await edit(path.join(dir, 'demo', 'segments.yaml'), 'value: [DE, AT, CH]', 'value: [de, AT, Switzerland]');
  await edit(path.join(dir, 'demo', 'offerwall-segments.yaml'), 'value: US', 'value: us');
  const c = capture();
  t.is(await runCli(['validate', dir], c.io), 1);
  const said = c.err.join('\n');
  t.regex(
    said,
    /segments\.yaml:\d+:\d+ 'de', 'Switzerland' can never be request\.countryIso2: countries reach rules as upper-case ISO 3166-1 alpha-2 codes \(DE, US\)/,
  );
  t.regex(said, /offerwall-segments\.yaml:\d+:\d+ 'us' can never be request\.countryIso2/);
  // Upper case, and operators that do not compare the text as it is, stay valid.
  const fine = await copyOfShippedRules(t);
  await edit(
    path.join(fine, 'demo', 'offerwall-segments.yaml'),
    'operator: equal\n        value: US',
    'operator: startsWith\n        value: u',
  );
  t.is(await runCli(['validate', fine], capture().io), 0);
});
