import type { AppConfig } from '../config/config-types.js';
import type { ApiCaseRunner, CaseInput, CaseOutcome } from '../fixtures/api-case-runner.js';
import { fixtureEventCounts } from '../fixtures/fixture-events.js';
import { importSnapshot } from '../fixtures/user-snapshot.js';
import { AppError } from '../http/app-error.js';
import type { AppRules } from '../rules/app-rules.js';
import { traced } from '../rules/engine/rule-set.js';
import { failedLeaves } from '../rules/engine/trace.js';
import type { Render } from './banner-render.js';
import { type BannerRequest, BannerRequestParser } from './banner-request.js';
import { BannerService } from './banner-service.js';
import { bannerSnapshot } from './banner-snapshot.js';
import { checkCaseProperties } from './case-state-properties.js';
import type { BannerRules } from './rules/banner-kind.js';
import { BannerDocumentStore } from './store/banner-document-store.js';
import type { BannerStore } from './store/banner-store.js';
import { ProfileDocumentStore } from './store/profile-document-store.js';

/**
 * A fixture's `state` for the banner API, all about the request's user:
 * `firstSeenAt`, `lastSeenAt` (earlier banner requests), `events` (tracked before:
 * `{event, at?, count?}`), `assignments` (`{experimentId, variationId, bucketVersion?, at?}`;
 * bucketVersion defaults to the experiment's current one), `properties` (the user's
 * profile, as /engage `$set` it: the `user.properties` fact) and `geoCountry` (what
 * geo-IP says of the caller; none by default, as for a loopback caller).
 */
interface BannerCaseState {
  properties?: Record<string, unknown>;
  firstSeenAt?: string;
  lastSeenAt?: string;
  events?: { event: string; at?: string; count?: number }[];
  assignments?: { experimentId: string; variationId: number; bucketVersion?: number; at?: string }[];
  geoCountry?: string;
}

const STATE_KEYS = new Set([
  'firstSeenAt',
  'lastSeenAt',
  'events',
  'assignments',
  'properties',
  'geoCountry',
]);
const DAY_MS = 86_400_000;

function readState(state: Record<string, unknown>): BannerCaseState {
  const unknown = Object.keys(state).filter((k) => !STATE_KEYS.has(k));
  if (unknown.length > 0) {
    throw new Error(
      `unknown banner state keys: ${unknown.join(', ')} (known: ${[...STATE_KEYS].join(', ')})`,
    );
  }
  checkCaseProperties(state.properties);
  fixtureEventCounts(state.events);
  return state as BannerCaseState;
}

async function seed(
  stores: { banner: BannerStore; profiles: ProfileDocumentStore },
  rules: BannerRules,
  appId: string,
  userId: string,
  state: BannerCaseState,
  now: Date,
): Promise<void> {
  const store = stores.banner;
  if (state.properties) {
    const failed = await stores.profiles.update(appId, [
      { kind: 'user', id: userId, operations: [{ op: '$set', values: state.properties }] },
    ]);
    if (failed[0]) throw new Error(`state.properties: ${failed[0]}`);
  }
  for (const at of [state.firstSeenAt, state.lastSeenAt]) {
    if (at) await store.recordRender(appId, userId, new Date(at), null);
  }
  const receivedAt = (at?: string) => new Date(at ?? now.getTime() - DAY_MS).toISOString();
  const events = (state.events ?? []).flatMap((e) =>
    Array.from({ length: e.count ?? 1 }, () => ({
      userId,
      name: e.event,
      time: null,
      receivedAt: receivedAt(e.at),
      renderId: null,
      experimentId: null,
      variationId: null,
      value: null,
    })),
  );
  if (events.length > 0) await store.track(appId, events);
  for (const a of state.assignments ?? []) {
    const experiment = rules.experiments.find((e) => e.id === a.experimentId);
    await store.assign(appId, {
      experimentId: a.experimentId,
      bucketVersion: a.bucketVersion ?? experiment?.bucketVersion ?? 1,
      userId,
      variationId: a.variationId,
      assignedAt: receivedAt(a.at),
    });
  }
}

/** The decision's "why": facts, every segment and experiment verdict, every banner rule. */
async function explain(render: Render): Promise<unknown> {
  const eligibility = new Map((await traced(render.eligibility)).map((o) => [o.id, o]));
  const segments = await traced(render.segments.outcomes);
  const banners = await traced(render.banners);
  return {
    facts: render.facts,
    segments: segments.map((o) => ({ id: o.id, matched: o.matched, trace: o.conditions })),
    experiments: render.choice.verdicts.map((v) => {
      const outcome = eligibility.get(v.experimentId);
      return { ...v, eligibility: outcome ? outcome.conditions : 'everyone (no eligibility conditions)' };
    }),
    chosen: { bannerId: render.bannerId, reason: render.reason },
    banners: banners.map((o) => ({
      id: o.id,
      priority: o.priority,
      matched: o.matched,
      verdict: bannerVerdict(o.id, o.matched, render),
      whyNot: o.matched ? [] : failedLeaves(o.conditions),
    })),
    ...(render.reason === 'CONTROL' ? { note: 'control group: no banner rule is evaluated' } : {}),
  };
}

/** What became of one banner rule: chosen, or the reason it lost. */
function bannerVerdict(id: string, matched: boolean, render: Render): string {
  if (id === render.bannerId) return 'chosen';
  if (!matched) return 'conditions not met';
  return render.bannerId === 'default'
    ? 'matched, but not for the served variation'
    : `matched, but lost to '${render.bannerId}' (earlier by priority)`;
}

/**
 * Runs banner fixture cases through the same validation and BannerService as the
 * server, on a fresh in-memory store, with the case's clock and render ids
 * `render-1`, `render-2`... `actual` keys: status, imageFullUrl, userId, offerId,
 * countryIso2, experimentId, variationId, renderId, occasion, reason, bannerId,
 * assignment (stored/new/none), segments, verdicts ({experimentId: outcome}),
 * prizeKey, countrySource; for a rejected request status 400 and errors (field names).
 */
export class BannerCaseRunner implements ApiCaseRunner {
  readonly api = 'banner' as const;
  readonly resultKeys = [
    'status',
    'errors',
    'imageFullUrl',
    'userId',
    'offerId',
    'countryIso2',
    'experimentId',
    'variationId',
    'renderId',
    'occasion',
    'reason',
    'bannerId',
    'assignment',
    'segments',
    'verdicts',
    'prizeKey',
    'countrySource',
  ] as const;
  readonly snapshot = bannerSnapshot;
  readonly #requests = new BannerRequestParser();

  async run(rules: AppRules, app: AppConfig, input: CaseInput): Promise<CaseOutcome> {
    if (!rules.banner) throw new Error(`app '${rules.appId}' has no Banner rules`);
    const banner = rules.banner;
    const state = readState(input.state);
    const store = await BannerDocumentStore.open(null);
    // The user's /engage properties and aliases, as serving reads them (`state.properties`).
    const profiles = await ProfileDocumentStore.open(null);
    let ids = 0;
    const service = new BannerService(store, {
      now: () => input.now,
      newRenderId: () => `render-${++ids}`,
      explain: true,
      profiles,
    });
    let request: BannerRequest;
    try {
      request = this.#requests.parse(input.request, banner.settings, () => state.geoCountry ?? null);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const errors = err.fields.map((f) => f.field);
      return { actual: { status: err.status, errors }, explanation: { errors: err.fields } };
    }
    if (input.snapshot) {
      await importSnapshot(store, input.snapshot);
      await importSnapshot(profiles, input.snapshot);
    } else await seed({ banner: store, profiles }, banner, app.id, request.userId, state, input.now);
    const render = await service.render(app.id, banner, request);
    return {
      actual: {
        status: 200,
        imageFullUrl: render.response.imageFullUrl,
        ...render.response.kibotuMetadata,
        reason: render.reason,
        bannerId: render.bannerId,
        assignment: render.assignment,
        segments: render.segments.ids,
        verdicts: Object.fromEntries(render.choice.verdicts.map((v) => [v.experimentId, v.outcome])),
        prizeKey: request.prizeKey,
        countrySource: request.countrySource,
      },
      explanation: await explain(render),
    };
  }
}
