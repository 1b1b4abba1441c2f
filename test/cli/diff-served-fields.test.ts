import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { runCli } from '../../src/cli/main.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';

async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no '${from}'`);
  await writeFile(file, text.replace(from, to));
}

async function diff(dir: string): Promise<string[]> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['diff', 'rules', dir, '--app', 'demo'], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  if (code !== 0) throw new Error(`offerd diff exited ${code}: ${err.join('\n')}`);
  return out;
}

/** The summary line of one API: `banner: 9 of 23 requests change (39.1%): imageFullUrl 9`. */
function summary(lines: readonly string[], api: string): string {
  const line = lines.find((l) => l.startsWith(`${api}: `));
  if (!line) throw new Error(`no ${api} summary in\n${lines.join('\n')}`);
  return line;
}

/** `N of M requests change`, as numbers. */
function changed(line: string): { changed: number; requests: number } {
  const m = /: (\d+) of (\d+) requests change/.exec(line);
  if (!m) throw new Error(`not a summary line: ${line}`);
  return { changed: Number(m[1]), requests: Number(m[2]) };
}

test('unchanged rules: every summary says 0 changes, render ids and expiry instants are not changes', async (t) => {
  const lines = await diff('rules');
  t.regex(lines.join('\n'), /^0 of \d+ users changed$/m);
  for (const api of ['banner', 'offerwall', 'journeys', 'special-offer']) {
    const line = summary(lines, api);
    t.is(changed(line).changed, 0, line);
    t.false(line.includes('change (0.0%):'), `no field named: ${line}`);
  }
});

test('a banner image change counts in the summary with the field named, as the per-user lines say', async (t) => {
  const draft = await copyOfShippedRules(t);
  const file = path.join(draft, 'demo', 'banner.yaml');
  await edit(file, 'banners/default/{prizeKey}', 'banners/default-v2/{prizeKey}');
  await edit(file, 'banners/champion-spotlight/{prizeKey}', 'banners/champion-spotlight-v2/{prizeKey}');
  const lines = await diff(draft);
  const users = lines.find((l) => / users changed/.test(l)) ?? '';
  const perUser = /^(\d+) of \d+ users changed \(imageFullUrl (\d+)\)$/.exec(users);
  t.truthy(perUser, users);
  const banner = summary(lines, 'banner');
  const n = changed(banner);
  t.true(n.changed > 0, banner);
  // The fixture users are the banner requests here: the same count, named by the same field.
  t.is(n.changed, Number(perUser?.[2]), banner);
  t.true(banner.endsWith(`: imageFullUrl ${n.changed}`), banner);
});

test('a special offer price and expiry change, and a journeys title change, count with their fields named', async (t) => {
  const draft = await copyOfShippedRules(t);
  await edit(path.join(draft, 'demo', 'banner.yaml'), 'price: 0.99', 'price: 1.99');
  await edit(path.join(draft, 'demo', 'banner.yaml'), 'expiresInMinutes: 120', 'expiresInMinutes: 240');
  await edit(path.join(draft, 'demo', 'journeys-offers.yaml'), 'title: Welcome Bonus', 'title: Big Welcome');
  const lines = await diff(draft);
  const special = summary(lines, 'special-offer');
  t.true(changed(special).changed > 0, special);
  // The starter pack's price (and with it its discount), the VIP bundle's expiry duration.
  t.regex(special, /: .*\bprice \d+/);
  t.regex(special, /\bdiscountPercent \d+/);
  t.regex(special, /\bexpiresInMinutes \d+/);
  t.notRegex(special, /renderId|expiresAt/);
  const journeys = summary(lines, 'journeys');
  t.true(changed(journeys).changed > 0, journeys);
  t.regex(journeys, /: created\.title \d+$/);
  t.is(changed(summary(lines, 'banner')).changed, 0, 'the banners did not change');
});
