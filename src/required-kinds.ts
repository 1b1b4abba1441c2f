import type { ApiName, AppConfig } from './config/config-types.js';
import type { RequiredKind } from './rules/required-kinds.js';

/**
 * The rule kinds an app's APIs cannot serve without: Banner for an app with a banner key,
 * Journeys for one with a journeys key, Offerwall for one with walls. A snapshot without
 * one of them is refused (docs/rules.md: "A broken change"). A disabled app serves no API.
 */
export function requiredKinds(app: AppConfig | undefined): RequiredKind[] {
  if (app?.status !== 'active') return [];
  const byKey = (api: ApiName, kind: string): RequiredKind[] => {
    const key = app.keys.find((k) => !k.revoked && k.apis.includes(api));
    return key ? [{ kind, neededBy: `the ${api} API needs it (config: key ${key.id})` }] : [];
  };
  const walls = app.walls.map((w) => w.id).join(', ');
  return [
    ...byKey('banner', 'Banner'),
    ...(app.walls.length > 0
      ? [{ kind: 'Offerwall', neededBy: `the offerwall API needs it (config: walls ${walls})` }]
      : []),
    ...byKey('journeys', 'Journeys'),
  ];
}
