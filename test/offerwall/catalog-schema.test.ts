import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { OfferPageValidator } from '../../src/offerwall/catalog-schema.js';
import { DEMO_CATALOG, demoCatalog, tempDir } from '../helpers/offerwall-service.js';

const validator = new OfferPageValidator();
const page = (offers: unknown[]) => ({
  status: 'success',
  publisher_id: 1,
  wall_id: 1,
  total: offers.length,
  offset: 0,
  limit: 10,
  offers,
});
const [sample] = demoCatalog();

test('the demo catalog is a valid Get Offers page of 200+ varied offers', (t) => {
  const offers = demoCatalog();
  t.true(validator.check(page(offers)).ok);
  t.true(offers.length >= 200);
  t.deepEqual(
    [...new Set(offers.map((o) => o.offer_type))].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  );
  t.deepEqual([...new Set(offers.map((o) => o.platform ?? 'any'))].sort(), [
    'android',
    'any',
    'desktop',
    'ios',
  ]);
  t.true(offers.some((o) => o.countries.includes('DE')) && offers.some((o) => o.countries.includes('US')));
  t.true(offers.some((o) => o.events.length >= 3));
});

test('optional Get Offers fields get defaults; unknown fields are dropped', (t) => {
  const minimal = {
    offer_id: 7,
    offer_name: 'x',
    category: 'Games',
    offer_type: 4,
    total_user_reward: 10,
    payout: 1,
    events: [{ event_id: 'base', name: 'Install', user_reward: 10, payout: 1 }],
    click_url_base: 'https://a.example/',
    vendor_extra: true,
  };
  const checked = validator.check(page([minimal]));
  if (!checked.ok) return t.fail(checked.problems.join('; '));
  const [o] = checked.page.offers;
  t.like(o, { platform: null, countries: [], min_os_version: null, cap_remaining: null, created_at: null });
  t.false(o !== undefined && 'vendor_extra' in o);
});

test('offers whose steps or totals do not add up are rejected', (t) => {
  const noBase = { ...sample, events: sample?.events.map((e) => ({ ...e, event_id: `x-${e.event_id}` })) };
  const badTotal = { ...sample, total_user_reward: (sample?.total_user_reward ?? 0) + 5 };
  const result = validator.check(page([noBase, badTotal]));
  t.false(result.ok);
  const text = result.ok ? '' : result.problems.join('\n');
  t.regex(text, /\/offers\/0\/events\/0\/event_id must be 'base'/);
  t.regex(text, /\/offers\/1\/total_user_reward .* is not the sum/);
});

test('the committed demo catalog is what scripts/generate-demo-catalog.ts writes', async (t) => {
  const dir = await tempDir(t, 'catalog');
  const out = path.join(dir, 'demo.json');
  execFileSync(process.execPath, ['--import=tsx', 'scripts/generate-demo-catalog.ts', out]);
  t.is(await readFile(out, 'utf8'), await readFile(DEMO_CATALOG, 'utf8'));
});
