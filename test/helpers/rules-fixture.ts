import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { tempDir } from './temp-dir.js';

/** A copy of the shipped rules directory that a test may edit freely. */
export async function copyOfShippedRules(t: ExecutionContext): Promise<string> {
  const dir = await tempDir(t, 'offerd-rules-');
  await cp('rules', dir, { recursive: true });
  return dir;
}

/** Writes `rules/<app>/<name>` below `dir`, creating the app directory. */
export async function writeRuleFile(dir: string, app: string, name: string, text: string): Promise<string> {
  await mkdir(path.join(dir, app), { recursive: true });
  const file = path.join(dir, app, name);
  await writeFile(file, text);
  return file;
}

/** A banner written after the demo's `payer-hero`, which matches every request it matches: it can never fire. */
const SHADOWED_BANNER = `    - id: payer-hero-copy
      experiment: payer-upsell
      variations: [1]
      image: https://cdn.offerd.example/banners/payer-upsell/hero-copy/{prizeKey}_{languageIso2}.png

`;

/**
 * Adds to the demo's banner.yaml (a copy of the shipped one) a banner that serves but can
 * never fire: a warning at demo/banner.yaml:107:7, never a problem.
 */
export async function addShadowedBanner(rulesDir: string): Promise<void> {
  const file = path.join(rulesDir, 'demo', 'banner.yaml');
  const text = await readFile(file, 'utf8');
  const anchor = '    - id: payer-badge\n';
  if (!text.includes(anchor)) throw new Error('banner.yaml has no payer-badge');
  await writeFile(file, text.replace(anchor, `${SHADOWED_BANNER}${anchor}`));
}
