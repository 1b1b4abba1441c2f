import type { AppConfig } from '../config/config-types.js';
import { loadConfig } from '../config/load-config.js';

/**
 * The app's config (walls, keys) when the config file declares it; a bare active app
 * otherwise, so rules can be tested in a rules repository that has no config.
 */
export function appConfigFor(
  appId: string,
  env: Record<string, string | undefined> = process.env,
): AppConfig {
  try {
    const found = loadConfig(env).apps.find((a) => a.id === appId);
    if (found) return found;
  } catch {
    // No usable config here: a rules repository checked out on its own.
  }
  return { id: appId, name: appId, status: 'active', keys: [], walls: [], offerwall: null };
}
