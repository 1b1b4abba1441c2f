import test from 'ava';
import { accessibilityViolations, launchBrowser, openConsole, watchedPage } from '../helpers/browser.js';
import { ADMIN, startTestService, type TestService } from '../helpers/start-test-service.js';

const ban = (service: TestService, body: object) =>
  service.fetch('/admin/apps/demo/bans', {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

test('explain: a banned player and a request the offerwall refuses are said in words, not a blank page or [object Object]', async (t) => {
  const service = await startTestService(t);
  t.is((await ban(service, { type: 'user', value: 'p-30', reason: 'chargebacks' })).status, 201);
  t.is(
    (await ban(service, { type: 'ip', value: '7.7.7.0/24', wallId: 1001, reason: 'bot farm' })).status,
    201,
  );
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/explain?app=demo&api=offerwall');
  const form = page.getByRole('form', { name: 'Explain a stored player' });
  const decision = page.getByRole('region', { name: 'Offerwall decision' });

  await form.getByLabel('User id').fill('p-30');
  await form.getByRole('button', { name: 'Explain' }).click();
  t.regex(
    (await decision.getByRole('alert').textContent()) ?? '',
    /^Banned: user ban 'p-30' \(reason 'chargebacks', since \d{4}-\d\d-\d\dT[\d:.]+Z, on every wall\): the offerwall answers 403 USER_BANNED; nothing was ranked\.$/,
  );

  // Nothing stored of p-0, but its ip is in a range banned on wall 1001.
  await form.getByLabel('User id').fill('p-0');
  await form.getByLabel('Player IP (country)').fill('7.7.7.7');
  await form.getByRole('button', { name: 'Explain' }).click();
  await decision
    .getByRole('alert')
    .filter({
      hasText:
        /^Banned: IP ban '7\.7\.7\.0\/24' \(reason 'bot farm', since .+, on wall 1001\): the offerwall answers 403 IP_BANNED/,
    })
    .waitFor();
  await page
    .getByRole('note')
    .filter({ hasText: "the request's ip is under the ip ban '7.7.7.0/24'" })
    .waitFor();

  // A request the offerwall refuses: its code, message and each field, not "[object Object]".
  await form.getByLabel('Player IP (country)').fill('not-an-ip');
  await form.getByRole('button', { name: 'Explain' }).click();
  const refused = decision.getByRole('alert').filter({ hasText: /^The offerwall answers this request 400 / });
  await refused.waitFor();
  t.false((await refused.textContent())?.includes('[object Object]'));
  t.regex(
    (await refused.textContent()) ?? '',
    /^The offerwall answers this request 400 INVALID_PARAMETER: \S.*; nothing was ranked\.$/,
  );
  await decision
    .getByRole('listitem')
    .filter({ hasText: /^ip: \S/ })
    .waitFor();
  t.deepEqual(await accessibilityViolations(page), []);
});

test('explain: a banner request the API refuses names each field and its message', async (t) => {
  const service = await startTestService(t);
  const served = await service.fetch('/getPersonalizedBanner', {
    method: 'POST',
    headers: { Authorization: 'demo-key', 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 'b-7', offerId: '8622', countryIso2: 'DE' }),
  });
  t.is(served.status, 200);
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/explain?app=demo&api=banner&user=b-7');
  const form = page.getByRole('form', { name: 'Explain a stored player' });
  const decision = page.getByRole('region', { name: 'Banner decision' });

  await form.getByLabel('Country (ISO 2)').fill('XX');
  await form.getByRole('button', { name: 'Explain' }).click();
  await decision
    .getByRole('alert')
    .filter({ hasText: /^The banner API answers this request 400/ })
    .waitFor();
  await decision
    .getByRole('listitem')
    .filter({ hasText: /^countryIso2: \S/ })
    .waitFor();

  await form.getByLabel('Country (ISO 2)').fill('DE');
  await form.getByLabel('Context (JSON object)').fill('{"prizeTypes": 5}');
  await form.getByRole('button', { name: 'Explain' }).click();
  await decision
    .getByRole('alert')
    .filter({ hasText: /^The banner API answers this request 400/ })
    .waitFor();
  await decision
    .getByRole('listitem')
    .filter({ hasText: /prizeTypes\S*: \S/ })
    .waitFor();
  t.is(
    await decision
      .getByRole('listitem')
      .filter({ hasText: /^countryIso2/ })
      .count(),
    0,
  );
});

test('impact: a 400 shows the fields the API named, not only "Invalid input"', async (t) => {
  const service = await startTestService(t);
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/impact');
  await page.getByRole('radio', { name: 'a draft rules folder on the server' }).check();
  await page.getByRole('textbox', { name: 'Draft rules folder' }).fill('/nope/here');
  await page.getByRole('button', { name: 'Replay against the live rules' }).click();
  await page
    .getByRole('alert')
    .filter({ hasText: "Invalid input (HTTP 400): rules: no directory '/nope/here' on the server" })
    .waitFor();
  t.pass();
});

test('explain: a why of a shape the page does not know is said and shown as JSON, not a blank page', async (t) => {
  const service = await startTestService(t);
  const page = await watchedPage(t, await launchBrowser(t));
  // A newer server's answer, with a key the journeys view reads in another form.
  await page.route('**/admin/apps/demo/explain', (route) =>
    route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify({
        appId: 'demo',
        api: 'journeys',
        rules: { version: '9', hash: 'f'.repeat(64) },
        now: '2026-12-05T12:00:00.000Z',
        user: { id: 'u-1', loaded: {}, stored: true },
        decision: { lifecycleStage: 'new' },
        why: { score: 'not a list' },
      }),
    }),
  );
  await openConsole(page, service, '#/explain?app=demo&api=journeys&user=u-1');
  const form = page.getByRole('form', { name: 'Explain a stored player' });
  await form.getByRole('button', { name: 'Explain' }).click();
  await page
    .getByRole('alert')
    .filter({
      hasText: /^The page cannot draw this journeys explanation \(.+\); the API's answer follows\.$/,
    })
    .waitFor();
  t.regex((await page.locator('pre').textContent()) ?? '', /"score": "not a list"/);
});
