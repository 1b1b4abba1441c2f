import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { copyOfShippedRules } from './rules-fixture.js';
import type { TestService } from './start-test-service.js';

// biome-ignore lint/suspicious/noExplicitAny: explanations are free-form JSON read field by field
export type Json = Record<string, any>;

/** A banner for VIP players outside every experiment, decided by a profile property alone. */
const VIP_BANNER = `    - id: vip-lounge
      when:
        fact: user.properties.vip_level
        operator: greaterThanInclusive
        value: 3
      image: https://cdn.offerd.example/banners/vip-lounge/{prizeKey}_{languageIso2}.png

`;

/** A copy of the shipped rules with the VIP banner for players with vip_level >= minLevel. */
export async function rulesWithVipBanner(
  t: Parameters<typeof copyOfShippedRules>[0],
  minLevel = 3,
): Promise<string> {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'banner.yaml');
  const text = await readFile(file, 'utf8');
  const anchor = '    # For players outside every experiment.\n';
  if (!text.includes(anchor)) throw new Error('banner.yaml has no anchor for the VIP banner');
  const banner = VIP_BANNER.replace('value: 3', `value: ${minLevel}`);
  await writeFile(file, text.replace(anchor, `${anchor}${banner}`));
  return dir;
}

/** POSTs JSON and reads the JSON answer. */
export async function post(s: TestService, route: string, body: unknown, headers: Record<string, string>) {
  const res = await s.fetch(route, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

/** A banner request outside every demo experiment. */
export const REQUEST = { offerId: '8622', countryIso2: 'US' };
