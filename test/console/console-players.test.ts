import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { accessibilityViolations, launchBrowser, openConsole, watchedPage } from '../helpers/browser.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { startTestService } from '../helpers/start-test-service.js';

test('explain: a stored banner player and a journeys player, read as tables; an unknown one is named as unknown', async (t) => {
  const service = await startTestService(t);
  const banner = await service.fetch('/getPersonalizedBanner', {
    method: 'POST',
    headers: { Authorization: 'demo-key', 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 'player-7', offerId: '8622', countryIso2: 'DE' }),
  });
  t.is(banner.status, 200);
  const journeys = await service.fetch('/v1/user-journeys/users', {
    method: 'POST',
    headers: { 'X-API-Key': 'pk_test_demo', 'content-type': 'application/json' },
    body: JSON.stringify({ externalId: 'player-7', displayName: 'Ann' }),
  });
  t.true(journeys.ok);

  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/explain');
  const form = page.getByRole('form', { name: 'Explain a stored player' });
  await form.getByLabel('User id').fill('player-7');
  await form.getByRole('button', { name: 'Explain' }).click();
  const bannerRules = page.getByRole('table', { name: /First match wins/ });
  await bannerRules.waitFor();
  // Every banner rule of the shipped rules is listed with its verdict.
  t.true((await bannerRules.getByRole('row').count()) > 3);
  await page.getByRole('table', { name: 'Enrollment, in rule order' }).getByText('payer-upsell').waitFor();

  await form.getByLabel('API').selectOption('journeys');
  await form.getByRole('button', { name: 'Explain' }).click();
  const offers = page.getByRole('table', { name: /Each trigger's verdict/ });
  await offers.getByRole('row', { name: /welcome_free_play created/ }).waitFor();
  await page.getByText('Stage new').waitFor();
  t.deepEqual(await accessibilityViolations(page), []);

  // Offerwall: shown offers ranked with the default count; a request the wall refuses is said.
  // A listing stores nothing: a click makes player-7 an offerwall user.
  const wall = await service.fetch('/api/v1/users/player-7/personalized?wall=1001&numoffers=5&ip=5.9.0.1');
  const listed = (await wall.json()) as { offers: { click_url: string }[] };
  const click = await fetch(listed.offers[0]?.click_url ?? '', { redirect: 'manual' });
  t.is(click.status, 302);
  await form.getByLabel('API').selectOption('offerwall');
  t.is(await form.getByLabel('Offers shown').inputValue(), '10');
  await form.getByRole('button', { name: 'Explain' }).click();
  await page.getByRole('table', { name: /Score of each shown offer/ }).waitFor();
  await form.getByLabel('Player IP (country)').fill('not-an-ip');
  await form.getByRole('button', { name: 'Explain' }).click();
  await page
    .getByRole('alert')
    .filter({ hasText: /The offerwall answers this request 400/ })
    .waitFor();
  // A uid the wall stores nothing of is explained as a first visit, and the page says so.
  await form.getByLabel('Player IP (country)').fill('');
  await form.getByLabel('User id').fill('never-clicked');
  await form.getByRole('button', { name: 'Explain' }).click();
  await page.getByRole('table', { name: /Score of each shown offer/ }).waitFor();
  await page
    .getByRole('note')
    .filter({
      hasText: 'no clicks or postbacks recorded for this user yet: explained with no progress and no ban',
    })
    .waitFor();
  // Each matched rule's effect in words, as the rule file says it, not as JSON.
  const rules = page.getByRole('region', { name: 'Offerwall decision' }).getByRole('listitem');
  await rules
    .filter({ hasText: 'wall-1001-allow-list allows only offer types 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11' })
    .waitFor();
  await rules.filter({ hasText: 'newcomers-start-easy boosts offer types 3, 6 by +0.15' }).waitFor();
  await form.getByLabel('API').selectOption('journeys');

  await form.getByLabel('User id').fill('nobody-here');
  await form.getByRole('button', { name: 'Explain' }).click();
  await page.getByRole('alert').filter({ hasText: "no journeys user 'nobody-here'" }).waitFor();
  t.pass();
});

test('experiments: the list of the demo app and one experiment read with its split check and per-variation table', async (t) => {
  const service = await startTestService(t);
  const list = (await (
    await service.fetch('/admin/apps/demo/experiments', {
      headers: { Authorization: 'Bearer demo-admin-token' },
    })
  ).json()) as { experiments: { experimentId: string }[] };
  const first = list.experiments[0]?.experimentId ?? 'none';
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/experiments');
  const table = page.getByRole('table', { name: /Experiments of demo/ });
  for (const e of list.experiments) await table.getByRole('link', { name: e.experimentId }).waitFor();
  await table.getByRole('link', { name: first }).click();
  await page.getByRole('heading', { level: 2, name: first }).waitFor();
  await page.getByText(/always-valid \(mSPRT\)/).waitFor();
  t.deepEqual(await accessibilityViolations(page), []);
});

/** A banner for US players asking for offer 8622, first in the list: it wins wherever it matches. */
const US_STARS = `    - id: us-stars
      when: { all: [{ fact: request.countryIso2, operator: equal, value: US }, { fact: request.offerId, operator: equal, value: '8622' }] }
      image: https://cdn.offerd.example/banners/us-stars/{prizeKey}_{languageIso2}.png

`;

test('explain: the banner request fields are asked for, and the ones left out are named as filled in', async (t) => {
  const rules = await copyOfShippedRules(t);
  const file = path.join(rules, 'demo', 'banner.yaml');
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace('  banners:\n', `  banners:\n${US_STARS}`));
  const service = await startTestService(t, { env: { OFFERD_RULES_DIR: rules } });
  const served = await service.fetch('/getPersonalizedBanner', {
    method: 'POST',
    headers: { Authorization: 'demo-key', 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 'b-120', offerId: '8622', countryIso2: 'US' }),
  });
  t.regex(((await served.json()) as { imageFullUrl: string }).imageFullUrl, /\/us-stars\//);

  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/explain');
  const form = page.getByRole('form', { name: 'Explain a stored player' });
  await form.getByLabel('User id').fill('b-120');
  await form.getByRole('button', { name: 'Explain' }).click();
  const decision = page.getByRole('region', { name: 'Banner decision' });
  await decision.waitFor();
  // Without the request's fields the explanation is not the served one, and the page says why.
  await page
    .getByRole('note')
    .filter({
      hasText:
        'request fields not given, so decided with offerId as the placeholder "explain", countryIso2 as absent (null), languageIso2 as absent (null)',
    })
    .waitFor();
  t.false((await decision.locator('p').first().textContent())?.includes('us-stars'));

  // A context that is not a JSON object is refused before anything is sent.
  await form.getByLabel('Context (JSON object)').fill('[1]');
  await form.getByRole('button', { name: 'Explain' }).click();
  await page.getByRole('alert').filter({ hasText: 'Context must be a JSON object' }).waitFor();

  await form.getByLabel('Offer id').fill('8622');
  await form.getByLabel('Country (ISO 2)').fill('US');
  await form.getByLabel('Language (ISO 2)').fill('en');
  await form.getByLabel('Context (JSON object)').fill('{"level": 12}');
  await form.getByRole('button', { name: 'Explain' }).click();
  await decision.getByText(/^Banner us-stars/).waitFor();
  t.is(await page.getByRole('note').count(), 0, 'every field given: nothing filled in to say');
  t.deepEqual(await accessibilityViolations(page), []);

  // An hour back is explained with today's rules and data, and the page says so (account-manager
  // check: it read as what the player got then).
  const hourAgo = new Date(Date.now() - 3_600_000);
  const local = new Date(hourAgo.getTime() - hourAgo.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await form.getByLabel('At (empty: now)').fill(local);
  await form.getByRole('button', { name: 'Explain' }).click();
  await page
    .getByRole('note')
    .filter({ hasText: "with the rules serving now and the player's state as stored now" })
    .waitFor();
});

test('explain: the page follows the URL hash (a pasted link, Back)', async (t) => {
  const service = await startTestService(t);
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/explain?app=demo&user=u-1&api=journeys');
  const form = page.getByRole('form', { name: 'Explain a stored player' });
  t.is(await form.getByLabel('User id').inputValue(), 'u-1');
  t.is(await form.getByLabel('API').inputValue(), 'journeys');
  // A link pasted into the address bar: the same document, only the hash changes.
  await page.goto(`${service.url}/console#/explain?app=demo&user=u-2&api=offerwall`);
  await form.getByLabel('Offers shown').waitFor();
  t.is(await form.getByLabel('User id').inputValue(), 'u-2');
  await page.goBack();
  await form.getByLabel('Environment').waitFor();
  t.is(await form.getByLabel('User id').inputValue(), 'u-1');
  t.is(await form.getByLabel('API').inputValue(), 'journeys');
});

test('explain: a journeys player is told which offers would be created, not that they are created now', async (t) => {
  const service = await startTestService(t);
  const journeys = await service.fetch('/v1/user-journeys/users', {
    method: 'POST',
    headers: { 'X-API-Key': 'pk_test_demo', 'content-type': 'application/json' },
    body: JSON.stringify({ externalId: 'player-8', displayName: 'Bo' }),
  });
  t.true(journeys.ok);
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/explain?app=demo&api=journeys&user=player-8');
  await page
    .getByRole('form', { name: 'Explain a stored player' })
    .getByRole('button', { name: 'Explain' })
    .click();
  const profile = page.getByRole('region', { name: 'Journeys decision' }).getByText(/^Stage new/);
  await profile.waitFor();
  t.regex(
    (await profile.textContent()) ?? '',
    /offers that would be created now: .*welcome_free_play.* \(an explanation creates nothing\)\.$/,
  );
  t.false(/offers created now/.test((await profile.textContent()) ?? ''));
});
