import test from 'ava';
import { createAppLoader } from '../../src/apis.js';
import { evaluateJourney } from '../../src/journeys/journey-evaluator.js';
import { JOURNEYS_FACTS } from '../../src/journeys/rules/journeys-facts.js';
import { readAppFiles } from '../../src/rules/app-loader.js';

const NOW = new Date('2026-11-20T12:00:00Z');

/** Every dotted path the rules could name, stopping at the catalogue's open objects and at arrays. */
function paths(value: unknown, prefix: string, open: readonly string[]): string[] {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject || open.includes(prefix)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => paths(v, prefix ? `${prefix}.${k}` : k, open));
}

test('the journeys fact catalogue names exactly the facts an evaluation hands the decision rules', async (t) => {
  const loaded = createAppLoader().load(await readAppFiles('rules', 'demo'));
  if (!loaded.ok || !loaded.rules.journeys) return t.fail('the demo journeys rules do not load');
  const user = {
    id: 'j-1',
    externalId: 'u-1',
    displayName: 'Ada',
    email: null,
    phone: null,
    country: 'DE',
    device: 'mobile' as const,
    source: null,
    tags: { vip: true },
    metadata: { level: 3 },
    createdAt: '2026-11-01T10:00:00.000Z',
    updatedAt: '2026-11-19T10:00:00.000Z',
  };
  const evaluation = await evaluateJourney(loaded.rules.journeys, { user, events: [], offers: [] }, NOW);
  const provided = paths(
    { profile: evaluation.profile, user: evaluation.user, segments: evaluation.segments },
    '',
    JOURNEYS_FACTS.open,
  );
  t.deepEqual(provided.sort(), JOURNEYS_FACTS.facts.map((f) => f.name).sort());
  for (const f of JOURNEYS_FACTS.facts) t.truthy(f.type, f.name);
});
