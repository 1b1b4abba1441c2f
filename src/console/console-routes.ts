import type { Context } from 'koa';
import { ApiRouter } from '../http/api-router.js';
import { AppError } from '../http/app-error.js';
import { type ConsoleAsset, inlineScriptSource, loadConsoleAssets } from './console-assets.js';

/** The page's import map (bare specifiers → vendor files this router serves): its one inline script. */
const IMPORT_MAP = /<script type="importmap">([\s\S]*?)<\/script>/;

/**
 * The console only talks to this origin and runs only its own files: a rule file or a
 * player id rendered on a page can never load or run anything (the import map, the one
 * inline script, is allowed by its hash).
 */
function securityHeaders(ctx: Context, scriptSources: string): void {
  ctx.set(
    'Content-Security-Policy',
    [
      "default-src 'none'",
      `script-src 'self' ${scriptSources}`,
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  );
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cache-Control', 'no-cache');
}

function send(ctx: Context, file: ConsoleAsset, scriptSources: string): void {
  securityHeaders(ctx, scriptSources);
  ctx.type = file.type;
  ctx.body = file.body;
}

/**
 * GET /console: the account managers' web page. The page and its modules are public
 * (they hold no data); every number on it comes from the admin API, called with the
 * token the login form keeps in the tab's sessionStorage — never in a URL or a cookie,
 * so no other site can make the browser use it.
 */
export function consoleRoutes(): ApiRouter {
  const assets = loadConsoleAssets();
  const index = assets.get('index.html');
  if (!index) throw new Error('console/index.html is missing from the package');
  const importMap = IMPORT_MAP.exec(index.body.toString('utf8'))?.[1];
  if (importMap === undefined) throw new Error('console/index.html has no import map');
  const scripts = inlineScriptSource(importMap);
  const router = new ApiRouter({ family: 'neutral', before: [] });
  router.get('/console', (ctx) => send(ctx, index, scripts));
  router.get('/console/*file', (ctx) => {
    const name = ctx.params.file ?? '';
    const file = name === '' ? index : assets.get(name);
    if (!file) throw new AppError('NOT_FOUND', `no console file '${name}'`);
    send(ctx, file, scripts);
  });
  return router;
}
