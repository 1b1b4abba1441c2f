/**
 * A special offer is granted when it is decided, so the SDK's calls must be able to get
 * back what was granted: a retry of getSpecialOffer (same user and predict_id) gets the
 * same offer without using up its cap, and get_feature with propOverrides (the only call
 * that carries the rules' `context`) is a success the SDK accepts, whose offer the app then
 * fetches with getSpecialOffer and the same predict_id. Wire bodies and verdicts as the
 * Kibotu node SDK (lib/kibotu-node.js get_feature, get_special_offer, send_request) has them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { DEMO_KEY } from '../helpers/banner-client.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { startTestService, type TestService } from '../helpers/start-test-service.js';

interface Offer {
  offerId: string;
  expiresAt: string;
  kibotuMetadata: { predictId: string | null };
}

async function send(s: TestService, body: unknown, verbose: boolean): Promise<string> {
  const res = await s.fetch(`/feature?ip=0&verbose=${verbose ? 1 : 0}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
    body: JSON.stringify(body),
  });
  return res.text();
}

/** get_special_offer: the bare object without propOverrides; resolves `res.specialOffer`, else `{}`. */
async function getSpecialOffer(
  s: TestService,
  trigger: string,
  distinctId: string,
  predictId?: string,
): Promise<Partial<Offer>> {
  const body = { featureName: `special_offer_on_${trigger}`, distinct_id: distinctId, predict_id: predictId };
  const res = JSON.parse(await send(s, body, false)) as { specialOffer?: Offer | null };
  return res?.specialOffer || {};
}

/** send_request's verdict without parseJsonResponse: an error text, or undefined for success. */
function sdkError(data: string, verbose: boolean): string | undefined {
  if (!verbose) return data !== '1' ? `Kibotu Server Error: ${data}` : undefined;
  const result = JSON.parse(data) as { status?: unknown; error?: unknown };
  return result.status !== 1 ? `Kibotu Server Error: ${result.error}` : undefined;
}

/** A one-time level-up offer only get_feature's context (propOverrides.level) can unlock. */
const MILESTONE_OFFER = `    - id: level-milestone
      trigger: level_up
      priority: 30
      when: { fact: context.level, operator: greaterThanInclusive, value: 10 }
      title: Level 10 milestone
      image: https://cdn.offerd.example/special/{offerId}/{languageIso2}.png
      productId: milestone_pack
      price: 4.99
      maxPerUser: 1

`;

async function rulesWithMilestone(t: ExecutionContext): Promise<string> {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'banner.yaml');
  const text = await readFile(file, 'utf8');
  const anchor = '    - id: vip-level-up-bundle\n';
  if (!text.includes(anchor)) throw new Error('banner.yaml has no vip-level-up-bundle');
  await writeFile(file, text.replace(anchor, `${MILESTONE_OFFER}${anchor}`));
  return dir;
}

test('a getSpecialOffer retry with the same predict_id gets the same one-time offer; another call gets none', async (t) => {
  const s = await startTestService(t);
  // A player who never paid: the demo's level-up-starter, maxPerUser 1.
  const first = await getSpecialOffer(s, 'level_up', 'newbie-r', 'p1');
  t.is(first.offerId, 'level-up-starter');
  const retry = await getSpecialOffer(s, 'level_up', 'newbie-r', 'p1');
  t.is(retry.offerId, 'level-up-starter', 'the response was lost: the retry gets the offer again');
  t.is(retry.expiresAt, first.expiresAt, 'the same grant, expiring when it does');
  t.is(retry.kibotuMetadata?.predictId, 'p1');
  t.deepEqual(await getSpecialOffer(s, 'level_up', 'newbie-r', 'p2'), {}, 'a new call: the cap of 1 is used');
  t.is((await getSpecialOffer(s, 'level_up', 'newbie-r', 'p1')).offerId, 'level-up-starter', 'still p1’s');
  t.deepEqual(await getSpecialOffer(s, 'low_balance', 'newbie-r', 'p1'), {}, 'per trigger: no coins set');
  // Without a predict_id nothing can be replayed: each call decides afresh.
  t.is((await getSpecialOffer(s, 'level_up', 'newbie-n')).offerId, 'level-up-starter');
  t.deepEqual(await getSpecialOffer(s, 'level_up', 'newbie-n'), {});
});

test('concurrent identical getSpecialOffer calls all get the offer, granted once', async (t) => {
  const s = await startTestService(t);
  const copies = await Promise.all(
    [1, 2, 3, 4, 5].map(() => getSpecialOffer(s, 'level_up', 'newbie-c', 'pc')),
  );
  t.deepEqual(
    copies.map((o) => o.offerId),
    Array(5).fill('level-up-starter'),
  );
  t.deepEqual(
    await getSpecialOffer(s, 'level_up', 'newbie-c', 'pd'),
    {},
    'counted once: the cap of 1 is used',
  );
});

test('get_feature with propOverrides succeeds as the SDK judges it; getSpecialOffer with its predict_id gets the offer its context unlocked', async (t) => {
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: await rulesWithMilestone(t) } });
  for (const verbose of [false, true]) {
    const user = `climber-${verbose ? 'v' : 'q'}`;
    const body = {
      featureName: 'special_offer_on_level_up',
      distinct_id: user,
      predict_id: 'p-12',
      propOverrides: { level: 12 },
    };
    const reply = await send(s, body, verbose);
    t.is(sdkError(reply, verbose), undefined, reply);
    t.is(reply, verbose ? '{"status":1,"error":null}' : '1');
    const offer = await getSpecialOffer(s, 'level_up', user, 'p-12');
    t.is(offer.offerId, 'level-milestone', 'granted by get_feature, replayed without its context');
    t.is(offer.kibotuMetadata?.predictId, 'p-12');
    t.not(
      (await getSpecialOffer(s, 'level_up', user, 'p-13')).offerId,
      'level-milestone',
      'another call has no context, and the milestone is one-time anyway',
    );
    const again = await send(s, { ...body, predict_id: 'p-14' }, verbose);
    t.is(sdkError(again, verbose), undefined, 'a get_feature that gets nothing new is still a success');
  }
});

test('a verbose get_feature without propOverrides (getSpecialOffer’s body) is a success as the SDK judges it', async (t) => {
  const s = await startTestService(t);
  for (const trigger of ['level_up', 'unknown_trigger']) {
    const body = { featureName: `special_offer_on_${trigger}`, distinct_id: 'newbie-v', predict_id: 'pv' };
    const reply = await send(s, body, true);
    t.is(sdkError(reply, true), undefined, reply);
    const parsed = JSON.parse(reply) as { specialOffer: Offer | null; status: number; error: null };
    t.is(parsed.specialOffer?.offerId ?? null, trigger === 'level_up' ? 'level-up-starter' : null);
  }
});
