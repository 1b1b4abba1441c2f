import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { hashApiKey } from '../../src/config/api-key.js';
import { tempDir } from './temp-dir.js';

/**
 * The shipped config (and its catalogs, relative to it) copied to a temp dir, with an active
 * banner-only app `appId` added whose key is `<appId>-key`. Returns the config file's path.
 */
export async function configWithBannerApp(t: ExecutionContext, appId: string): Promise<string> {
  const dir = await tempDir(t, 'offerd-config-');
  await cp('config', dir, { recursive: true });
  const file = path.join(dir, 'offerd.yaml');
  const app = [
    `  - id: ${appId}`,
    `    name: ${appId}`,
    '    status: active',
    '    keys:',
    `      - id: ${appId}-banner`,
    `        hash: ${hashApiKey(`${appId}-key`)}`,
    '        apis: [banner]',
    '',
  ].join('\n');
  await writeFile(file, `${await readFile(file, 'utf8')}${app}`);
  return file;
}
