import { existsSync } from 'node:fs';
import type { AppConfig } from '../config/config-types.js';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load-config.js';

/**
 * The app's config (walls, keys) from the config file; a bare active app when there is no
 * config at all (a rules repository checked out on its own) or it does not declare the
 * app. A config that is there but refused (unreadable, invalid, demo secrets under
 * NODE_ENV=production, OFFERD_CONFIG naming a missing file) throws its ConfigError, as
 * the service's start does: falling back then made `offerd validate` pass rules the
 * service refuses and `offerd test` fail every offerwall case on a wall "not found".
 */
/**
 * The config file the CLI reads and the apps it declares; null when there is none (a rules
 * repository checked out on its own: every app then runs as a bare active app).
 */
export function cliConfig(
  env: Record<string, string | undefined> = process.env,
): { path: string; apps: AppConfig[] } | null {
  if (env.OFFERD_CONFIG === undefined && !existsSync(DEFAULT_CONFIG_PATH)) return null;
  return { path: env.OFFERD_CONFIG ?? DEFAULT_CONFIG_PATH, apps: loadConfig(env).apps };
}

export function appConfigFor(
  appId: string,
  env: Record<string, string | undefined> = process.env,
): AppConfig {
  const found = cliConfig(env)?.apps.find((a) => a.id === appId);
  if (found) return found;
  return {
    id: appId,
    name: appId,
    status: 'active',
    keys: [],
    walls: [],
    offerwall: null,
    journeys: { schedule: null },
  };
}
