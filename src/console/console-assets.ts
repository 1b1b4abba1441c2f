import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file the console serves, read once when the service starts (they are small: ~150 KB in all). */
export interface ConsoleAsset {
  body: Buffer;
  type: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The browser modules of the libraries the console uses, by the name the page imports
 * them under (its import map). Resolved as an ES module import through each package's
 * own exports (`import` condition: its browser ESM build), so an upgrade that moves a
 * file fails at start, not in a browser.
 */
const VENDOR: Readonly<Record<string, string>> = {
  'preact.mjs': 'preact',
  'preact-hooks.mjs': 'preact/hooks',
  'htm.mjs': 'htm',
};

/** The console's own files: `console/` at the package root, beside `src/` and `dist/`. */
const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

function asset(file: string): ConsoleAsset {
  return { body: readFileSync(file), type: TYPES[path.extname(file)] ?? 'application/octet-stream' };
}

/**
 * Every file the console may serve, keyed by its URL path under /console: a request can
 * only ever name one of these (no path is joined from user input), so there is nothing
 * to traverse.
 */
export function loadConsoleAssets(): ReadonlyMap<string, ConsoleAsset> {
  const assets = new Map<string, ConsoleAsset>();
  for (const file of filesUnder(CONSOLE_DIR)) assets.set(file, asset(path.join(CONSOLE_DIR, file)));
  for (const [name, specifier] of Object.entries(VENDOR)) {
    assets.set(`vendor/${name}`, asset(fileURLToPath(import.meta.resolve(specifier))));
  }
  return assets;
}

/** The CSP source of an inline script (the page's import map): its SHA-256, base64. */
export function inlineScriptSource(script: string): string {
  return `'sha256-${createHash('sha256').update(script).digest('base64')}'`;
}
