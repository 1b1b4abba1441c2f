#!/usr/bin/env node
// Runs the TypeScript sources through tsx when it is installed (a development checkout:
// never a stale build), else the compiled CLI in dist/ (a production install).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'cli', 'main.ts');
let entry = join(root, 'dist', 'cli', 'main.js');
let hasTsx = false;
try {
  createRequire(import.meta.url).resolve('tsx/esm/api');
  hasTsx = true;
} catch {}
if (hasTsx && existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = source;
}
// A reader that stops early (`offerd --help | head -3`) closes the pipe: that ends the output,
// not in a stack trace (focused check).
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { runCli } = await import(pathToFileURL(entry).href);
const code = await runCli(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
