import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Debian's chromium, driven by playwright-core (which downloads no browser). `.ci/run`
 * installs it when a machine has none; a test run without it fails here, loudly, rather
 * than skipping the console's tests.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(t: ExecutionContext): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  // --no-sandbox: sessions and CI run as root, where Chromium's sandbox refuses to start.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  t.teardown(() => browser.close());
  return browser;
}

/**
 * Opens the console at `hash` (`#/players?app=demo`…) on `service` and signs in with the
 * shipped example's admin token, as a user does: the sections' navigation shows when it is done.
 */
export async function openConsole(page: Page, service: { url: string }, hash = ''): Promise<void> {
  await page.goto(`${service.url}/console${hash}`);
  await page.getByLabel('Admin token').fill('demo-admin-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console sections' }).waitFor();
}

/** A page that fails the test on any script error or failed request it sees. */
export async function watchedPage(
  t: ExecutionContext,
  browser: Browser,
  viewport = { width: 1280, height: 800 },
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  // Chromium logs every 4xx fetch as a console error; the console shows those itself (a
  // refused token, a 404), so only server errors and other console errors count.
  page.on('response', (r) => {
    if (r.status() >= 500) problems.push(`HTTP ${r.status()} from ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      problems.push(`console error: ${m.text()}`);
    }
  });
  // Thrown from a teardown, it fails the test that opened the page.
  t.teardown(() => {
    if (problems.length > 0) throw new Error(`the page reported errors:\n${problems.join('\n')}`);
  });
  return page;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core's WCAG A/AA rules on the page as it is now. Run through the DevTools protocol
 * (page.evaluate), which the page's Content-Security-Policy does not apply to: the page
 * itself stays as strict as in production.
 */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  const source = await readFile(fileURLToPath(import.meta.resolve('axe-core/axe.min.js')), 'utf8');
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(o: object): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}
