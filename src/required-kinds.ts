import type { ApiName, AppConfig } from './config/config-types.js';
import type { FixtureApi } from './fixtures/api-case-runner.js';
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

const KIND_OF_FIXTURE_API: Readonly<Record<FixtureApi, string>> = {
  banner: 'Banner',
  'special-offer': 'Banner',
  offerwall: 'Offerwall',
  journeys: 'Journeys',
};

/** Whether the app serves the API a fixture case names: the gate runs only those cases. */
export function servesFixtureApi(app: AppConfig, api: FixtureApi): boolean {
  return requiredKinds(app).some((k) => k.kind === KIND_OF_FIXTURE_API[api]);
}
