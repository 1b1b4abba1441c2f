import { cp, mkdir, writeFile } from 'node:fs/promises';
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
