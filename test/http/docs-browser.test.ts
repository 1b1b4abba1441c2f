import test from 'ava';
import { launchBrowser } from '../helpers/browser.js';
import { API_REFERENCE } from '../helpers/openapi-check.js';
import { startTestService } from '../helpers/start-test-service.js';

/** swagger-ui lists an operation under each of its tags. */
const listed = Object.values(API_REFERENCE.paths)
  .flatMap((item) => [item.get, item.post, item.put, item.delete])
  .reduce((n, op) => n + (op?.tags.length ?? 0), 0);

test('/docs renders every operation in a headless browser, with nothing fetched from elsewhere', async (t) => {
  const s = await startTestService(t);
  const browser = await launchBrowser(t);
  const page = await browser.newPage();
  const elsewhere: string[] = [];
  const failed: string[] = [];
  // The page must work offline: any request off this service is refused and recorded.
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(s.url)) return route.continue();
    elsewhere.push(url);
    return route.abort();
  });
  page.on('response', (res) => {
    if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
  });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  // A script or style the page's policy blocks is a console error: none may be.
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const res = await page.goto(`${s.url}/docs`);
  t.regex(res?.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/);
  await page.waitForSelector('.opblock', { timeout: 30_000 });
  t.is(await page.locator('.opblock').count(), listed);
  t.is(
    await page
      .locator('.info .title')
      .first()
      .textContent()
      .then((x) => x?.startsWith('offerd')),
    true,
  );
  // swagger-ui shows what it cannot read of a document as warnings and errors on the page.
  t.notRegex(await page.locator('body').innerText(), /Warning|Errors|not supported/);
  for (const tag of API_REFERENCE.tags) {
    t.is(await page.locator(`.opblock-tag[data-tag="${tag.name}"]`).count(), 1, tag.name);
  }
  if (process.env.DOCS_SCREENSHOT)
    await page.screenshot({ path: process.env.DOCS_SCREENSHOT, fullPage: false });
  t.deepEqual({ elsewhere, failed, errors }, { elsewhere: [], failed: [], errors: [] });
});
