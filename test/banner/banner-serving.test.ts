import test from 'ava';
import { createAppLoader } from '../../src/apis.js';
import type { Render } from '../../src/banner/banner-render.js';
import { BannerRequestParser } from '../../src/banner/banner-request.js';
import { BannerService } from '../../src/banner/banner-service.js';
import type { BannerRules } from '../../src/banner/rules/banner-kind.js';
import { BannerDocumentStore } from '../../src/banner/store/banner-document-store.js';
import { readAppFiles } from '../../src/rules/app-loader.js';

const APP = 'demo';
const DAY = 86_400_000;
const NOW = new Date('2026-06-01T12:00:00Z');

function prng(seed: number) {
  let n = seed;
  return (k: number): number => {
    n = (n * 1103515245 + 12345) % 2 ** 31;
    return n % k;
  };
}

const pick = <T>(rand: (k: number) => number, items: readonly T[]): T => items[rand(items.length)] as T;

/** The same history for one user in a store: visits, purchases, assignments (some of older bucket versions). */
async function seedUser(
  store: BannerDocumentStore,
  rules: BannerRules,
  userId: string,
  rand: (k: number) => number,
): Promise<void> {
  if (rand(3) > 0) await store.recordRender(APP, userId, new Date(NOW.getTime() - rand(40) * DAY), null);
  const purchases = pick(rand, [0, 0, 1, 3]);
  const events = Array.from({ length: purchases }, () => ({
    userId,
    name: 'SpecialOfferPopupPurchased',
    time: null,
    receivedAt: new Date(NOW.getTime() - DAY).toISOString(),
    renderId: null,
    experimentId: null,
    variationId: null,
    value: null,
  }));
  if (events.length > 0) await store.track(APP, events);
  if (rand(3) === 0) {
    const experiment = pick(rand, rules.experiments);
    const variation = pick(rand, experiment.variations);
    await store.assign(APP, {
      experimentId: experiment.id,
      bucketVersion: experiment.bucketVersion - rand(2),
      userId,
      variationId: variation.id,
      assignedAt: new Date(NOW.getTime() - 2 * DAY).toISOString(),
    });
  }
}

function randomBody(rand: (k: number) => number, userId: string): Record<string, unknown> {
  const body: Record<string, unknown> = { userId, offerId: '8622' };
  if (rand(4) > 0) body.countryIso2 = pick(rand, ['DE', 'AT', 'FR', 'US']);
  if (rand(4) > 0) body.languageIso2 = pick(rand, ['de', 'en', 'fr']);
  if (rand(3) > 0) body.level = pick(rand, [1, 10, 20, 35]);
  if (rand(2) === 0) body.activeChamp = 'ahri';
  if (rand(3) === 0) body.occasion = pick(rand, ['level_up', 'login']);
  if (rand(2) === 0) body.prizeTypes = pick(rand, [['chest'], ['gems', 'chest'], ['skin']]);
  if (rand(3) === 0) body.prizeKey = pick(rand, ['chest_epic', 'gems_100']);
  return body;
}

const decision = (r: Render) => ({
  response: r.response,
  reason: r.reason,
  bannerId: r.bannerId,
  assignment: r.assignment,
  segments: r.segments.ids,
  kind: r.choice.kind,
});

test('serving decides exactly as explaining, on 600 random users and requests of the demo rules', async (t) => {
  const loaded = createAppLoader().load(await readAppFiles('rules', APP));
  if (!loaded.ok || !loaded.rules.banner) return t.fail('demo banner rules do not load');
  const rules = loaded.rules.banner;
  const stores = [await BannerDocumentStore.open(null), await BannerDocumentStore.open(null)] as const;
  const services = stores.map((store, i) => {
    let ids = 0;
    return new BannerService(store, { now: () => NOW, newRenderId: () => `r-${++ids}`, explain: i === 0 });
  });
  const [explaining, serving] = services as [BannerService, BannerService];
  const seen = new Set<string>();
  for (let u = 0; u < 600; u++) {
    const userId = `user-${u % 400}`;
    for (const store of stores) await seedUser(store, rules, userId, prng(u));
    const rand = prng(10_000 + u);
    const request = new BannerRequestParser().parse(randomBody(rand, userId), rules.settings, () => null);
    const full = await explaining.render(APP, rules, request);
    const served = await serving.render(APP, rules, request);
    t.deepEqual(decision(served), decision(full));
    seen.add(full.reason).add(full.choice.kind);
    // What serving judged, it judged exactly as the full run did.
    for (const v of served.choice.verdicts)
      t.deepEqual(
        v,
        full.choice.verdicts.find((x) => x.experimentId === v.experimentId),
      );
    t.deepEqual(
      served.banners.map((o) => o.id),
      full.banners
        .filter((o) => o.matched)
        .slice(0, 1)
        .map((o) => o.id),
    );
  }
  // The random users and requests reached every kind of decision, or the comparison proves
  // little (DEFAULT cannot happen here: the demo rules always have a default banner).
  t.deepEqual(
    [...seen].sort(),
    ['CONTROL', 'MATCH', 'NO_MATCH', 'new', 'none', 'stored'],
    'every reason and every kind of experiment choice was compared',
  );
  t.deepEqual(
    await stores[1].tallies(APP, 'payer-upsell', 1),
    await stores[0].tallies(APP, 'payer-upsell', 1),
  );
});
