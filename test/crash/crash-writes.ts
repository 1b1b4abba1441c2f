import { signPostback } from '../../src/offerwall/domain/signatures.js';
import type { Store } from '../../src/store/store.js';
import { checkedFetch } from '../helpers/openapi-check.js';

/** The write paths the crash suite loads, one tally each. */
export const PATHS = [
  'banner render',
  'banner track',
  'banner engage',
  'journeys event',
  'journeys profile',
  'journeys claim',
  'offerwall click',
  'offerwall postback',
] as const;
export type PathName = (typeof PATHS)[number];

export interface Tally {
  tried: number;
  acknowledged: number;
  lost: number;
  /** Writes stored twice: a retry of an unanswered write that an earlier try had stored. */
  duplicated: number;
}

export const emptyTallies = (): Record<PathName, Tally> =>
  Object.fromEntries(PATHS.map((p) => [p, { tried: 0, acknowledged: 0, lost: 0, duplicated: 0 }])) as Record<
    PathName,
    Tally
  >;

/**
 * A check of acknowledged writes after the restart: how many of them are missing. Through
 * the restarted service's APIs (at `url`), or in the store port where no API shows them.
 */
export type Check = {
  path: PathName;
  label: string;
  /** What the number counts: writes missing (the default), or writes stored twice. */
  counts?: 'lost' | 'duplicated';
} & (
  | { via: 'api'; missing(url: string): Promise<number> }
  | { via: 'store'; missing(port: Store): Promise<number> }
);

const APP = 'demo';
const WALL = 1001;
const POSTBACK_SECRET = 'demo-postback-secret-change-me';
const ADMIN = { Authorization: 'Bearer demo-admin-token' };
const JSON_HEADERS = { 'Content-Type': 'application/json' };
const BANNER_HEADERS = { ...JSON_HEADERS, Authorization: 'demo-key' };
const JOURNEYS_HEADERS = { ...JSON_HEADERS, 'X-API-Key': 'pk_test_demo' };
const JOURNEYS = '/v1/user-journeys';
/** Users per pool: few enough that writes meet on shards and records, enough to spread. */
const POOL = 24;

export const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
export const between = (min: number, max: number): number =>
  min + Math.floor(Math.random() * (max - min + 1));

interface ClickTarget {
  uid: string;
  offerId: number;
  clickUrl: string;
  eventId: string;
}

/** What a run writes to: offers to claim and links to click, made before the load. */
export interface Setup {
  run: string;
  claims: { user: string; offerId: string }[];
  clicks: ClickTarget[];
}

async function must(res: Promise<Response>, what: string): Promise<Response> {
  const r = await res;
  if (r.status >= 400) throw new Error(`${what}: ${r.status} ${await r.text()}`);
  return r;
}

async function claimTargets(url: string, run: string): Promise<Setup['claims']> {
  const users = Array.from({ length: 8 }, (_, i) => `c${run}-${i}`);
  const events = users.map((externalId) => ({
    externalId,
    eventType: 'spin',
    category: 'GAME_PLAY',
    points: 5,
  }));
  const body = JSON.stringify({ events });
  await must(
    checkedFetch(`${url}${JOURNEYS}/track`, { method: 'POST', headers: JOURNEYS_HEADERS, body }),
    'track',
  );
  const generate = `${url}/admin/apps/${APP}/journeys/generate?environment=test`;
  await must(checkedFetch(generate, { method: 'POST', headers: ADMIN }), 'journeys generate');
  const claims: Setup['claims'] = [];
  for (const user of users) {
    const res = await must(
      checkedFetch(`${url}${JOURNEYS}/users/${user}/offers`, { headers: JOURNEYS_HEADERS }),
      'offers',
    );
    const { data } = (await res.json()) as { data: { offers: { id: string }[] } };
    for (const o of data.offers) claims.push({ user, offerId: o.id });
  }
  return claims;
}

async function clickTargets(url: string, run: string): Promise<ClickTarget[]> {
  const clicks: ClickTarget[] = [];
  for (let i = 0; i < 6; i++) {
    const uid = `w${run}-${i}`;
    const query = `wall=${WALL}&numoffers=4&ip=8.8.8.8&sid3=crash`;
    const res = await must(checkedFetch(`${url}/api/v1/users/${uid}/personalized?${query}`), 'offerwall');
    const { offers } = (await res.json()) as {
      offers: { offer_id: number; click_url: string; events: { event_id: string }[] }[];
    };
    for (const o of offers) {
      const eventId = o.events[0]?.event_id ?? 'base';
      clicks.push({ uid, offerId: o.offer_id, clickUrl: o.click_url, eventId });
    }
  }
  return clicks;
}

/** Journeys offers to claim (from a generation run) and offerwall links to click, for run `run`. */
export async function prepare(url: string, run: string): Promise<Setup> {
  const setup = { run, claims: await claimTargets(url, run), clicks: await clickTargets(url, run) };
  if (setup.claims.length === 0 || setup.clicks.length === 0) throw new Error('no offer to claim or click');
  return setup;
}

function postbackQuery(t: ClickTarget, transactionId: string): string {
  const report = { wallId: WALL, uid: t.uid, offerId: t.offerId, eventId: t.eventId, transactionId };
  const sig = signPostback(POSTBACK_SECRET, report);
  const q = {
    wall: String(WALL),
    uid: t.uid,
    offer: String(t.offerId),
    event: t.eventId,
    transaction_id: transactionId,
  };
  return new URLSearchParams({ ...q, sig }).toString();
}

/** One request; its body when the path's success status came back in full, else null. */
async function send(url: string, init: RequestInit, ok: number): Promise<string | null> {
  try {
    const res = await checkedFetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    return res.status === ok ? text : null;
  } catch {
    return null;
  }
}

/** 0 when the request, sent to the restarted service, answers `ok`; else 1 (lost). */
const answers = async (url: string, init: RequestInit, ok: number) =>
  (await send(url, init, ok)) === null ? 1 : 0;

/** One write: where it goes, its success status, and what its acknowledgement obliges. */
interface Write {
  target: string;
  init?: RequestInit;
  ok: number;
  acked(body: string): void;
  /** A client sends it again when it got no answer (the SDK's /track batches). */
  retried?: boolean;
  /** Its retry got no answer either: it may be stored or not, and counts as neither. */
  unsettled?(): void;
}

const post = (headers: Record<string, string>, body?: string): RequestInit => ({
  method: 'POST',
  headers,
  body,
});

/** Per path, a new write of run `l.run` (its `n`-th), or null when the path has nothing left to write. */
const WRITERS: Record<PathName, (l: Ledger, n: number) => Write | null> = {
  'banner render': (l) => {
    const userId = l.user('b');
    const body = JSON.stringify({ userId, offerId: '8622', activeChamp: 'ahri', prizeTypes: ['champion'] });
    return {
      target: '/ab/getPersonalizedBanner',
      init: post(BANNER_HEADERS, body),
      ok: 200,
      acked: (text) => {
        const m = (JSON.parse(text) as { kibotuMetadata: { experimentId: string; variationId: number } })
          .kibotuMetadata;
        // Outside every experiment a render promises nothing durable (its counts are written behind).
        if (!m.experimentId) return;
        l.checkStore(
          'banner render',
          `${userId} assigned ${m.experimentId}/${m.variationId}`,
          async (port) => {
            const found = await port.banner.assignments(APP, userId);
            return found.some((a) => a.experimentId === m.experimentId && a.variationId === m.variationId)
              ? 0
              : 1;
          },
        );
      },
    };
  },
  'banner engage': (l, seq) => {
    // Each acknowledged update sets a property of its own: the profile must still have it.
    const userId = l.user('p');
    const name = `k${l.run}_${seq}`;
    const body = JSON.stringify([{ $distinct_id: userId, $set: { [name]: seq } }]);
    const acked = () =>
      l.checkStore('banner engage', `${userId}.${name}`, async (port) =>
        (await port.profiles.profile(APP, 'user', userId))?.[name] === seq ? 0 : 1,
      );
    return { target: '/engage?ip=0&verbose=1', init: post(BANNER_HEADERS, body), ok: 200, acked };
  },
  'banner track': (l, n) => {
    const userId = l.user('b');
    const properties = { distinct_id: userId, time: Math.floor(Date.now() / 1000) };
    // With $insert_id, as the node SDK sends every event: a batch the kill left unanswered
    // is sent again to the restarted service (retryUnanswered), and answered, it must be stored.
    const body = JSON.stringify([
      { event: 'AppStart', properties: { ...properties, $insert_id: `t${l.run}-${n}-a` } },
      { event: 'LevelUp', properties: { ...properties, $insert_id: `t${l.run}-${n}-b` } },
    ]);
    const acked = () => l.tracked.set(userId, (l.tracked.get(userId) ?? 0) + 2);
    const unsettled = () => l.unsettled.set(userId, (l.unsettled.get(userId) ?? 0) + 2);
    return {
      target: '/track?ip=0&verbose=1',
      init: post(BANNER_HEADERS, body),
      ok: 200,
      acked,
      retried: true,
      unsettled,
    };
  },
  'journeys event': (l, n) => {
    const clientEventId = `e${l.run}-${n}`;
    const event = {
      externalId: l.user('j'),
      eventType: 'spin',
      category: 'GAME_PLAY',
      points: 1,
      clientEventId,
    };
    const init = post(JOURNEYS_HEADERS, JSON.stringify(event));
    const target = `${JOURNEYS}/events`;
    // Sent again, a stored event is a duplicate (200); a lost one is stored now (201).
    const acked = () =>
      l.checkApi('journeys event', clientEventId, (url) => answers(`${url}${target}`, init, 200));
    return { target, init, ok: 201, acked };
  },
  'journeys profile': (l, n) => {
    const externalId = `p${l.run}-${n}`;
    const body = JSON.stringify({ externalId, displayName: `P${n}`, country: 'de', tags: { crash: n } });
    const acked = () =>
      l.checkApi('journeys profile', externalId, async (url) => {
        const text = await send(`${url}${JOURNEYS}/users/${externalId}`, { headers: JOURNEYS_HEADERS }, 200);
        return text && (JSON.parse(text) as { data: { displayName: string } }).data.displayName === `P${n}`
          ? 0
          : 1;
      });
    // An upsert answers 200, created or not (GamifyHost's track-user page).
    return { target: `${JOURNEYS}/users`, init: post(JOURNEYS_HEADERS, body), ok: 200, acked };
  },
  'journeys claim': (l) => {
    const claim = l.setup.claims.pop();
    if (!claim) return null;
    const target = `${JOURNEYS}/users/${claim.user}/offers/${claim.offerId}/claim`;
    const init = post(JOURNEYS_HEADERS);
    // Claimed again, a stored claim is refused as not active (400); a lost one succeeds.
    const acked = () =>
      l.checkApi('journeys claim', claim.offerId, (url) => answers(`${url}${target}`, init, 400));
    return { target, init, ok: 200, acked };
  },
  'offerwall click': (l) => {
    const t = pick(l.setup.clicks);
    const acked = () => {
      const known = l.clicked.get(`${t.uid}/${t.offerId}`) ?? { target: t, count: 0 };
      known.count++;
      l.clicked.set(`${t.uid}/${t.offerId}`, known);
    };
    // The link names the service that made it; the path is what counts.
    return { target: t.clickUrl.replace(/^https?:\/\/[^/]+/, ''), ok: 302, acked };
  },
  'offerwall postback': (l, n) => {
    const tx = `tx${l.run}-${n}`;
    const target = `/api/v1/postback?${postbackQuery(pick(l.setup.clicks), tx)}`;
    // Sent again, a stored postback is a duplicate.
    const acked = () =>
      l.checkApi('offerwall postback', tx, async (url) => {
        const text = await send(`${url}${target}`, {}, 200);
        return text && (JSON.parse(text) as { duplicate: boolean }).duplicate ? 0 : 1;
      });
    return { target, ok: 200, acked };
  },
};

/** The writes of one run against one service, and what to check of those acknowledged. */
export class Ledger {
  readonly tally = emptyTallies();
  private readonly checks: Check[] = [];
  /** Acknowledged counts that the store adds up (tracked events per user, clicks per offer). */
  readonly tracked = new Map<string, number>();
  /** Tracked events per user of batches whose retry got no answer: stored or not, either is right. */
  readonly unsettled = new Map<string, number>();
  readonly clicked = new Map<string, { target: ClickTarget; count: number }>();
  /** Writes a client retries that the kill left unanswered (see retryUnanswered). */
  private readonly unanswered: { path: PathName; write: Write }[] = [];
  private seq = 0;
  private acknowledged!: () => void;
  /** Resolves at the run's first acknowledged write: the load is under way. */
  readonly underWay = new Promise<void>((resolve) => {
    this.acknowledged = resolve;
  });

  constructor(
    private readonly url: string,
    readonly setup: Setup,
  ) {}

  get run(): string {
    return this.setup.run;
  }

  /** A user of this run's pool `prefix`. */
  user(prefix: string): string {
    return `${prefix}${this.run}-${between(0, POOL - 1)}`;
  }

  checkApi(path: PathName, label: string, missing: (url: string) => Promise<number>): void {
    this.checks.push({ path, label, via: 'api', missing });
  }

  checkStore(path: PathName, label: string, missing: (port: Store) => Promise<number>): void {
    this.checks.push({ path, label, via: 'store', missing });
  }

  /** One write on a random path. */
  async any(): Promise<void> {
    const path = pick(PATHS.filter((p) => p !== 'journeys claim' || this.setup.claims.length > 0));
    const write = WRITERS[path](this, ++this.seq);
    if (!write) return;
    this.tally[path].tried++;
    const body = await send(`${this.url}${write.target}`, write.init ?? {}, write.ok);
    if (body === null) {
      if (write.retried) this.unanswered.push({ path, write });
      return;
    }
    this.tally[path].acknowledged++;
    this.acknowledged();
    write.acked(body);
  }

  /**
   * Sends the writes that a client retries (the SDK's /track batches) and that got no
   * answer before the kill to the restarted service at `url`, as the client would: each
   * answered one counts as acknowledged, and must be stored.
   */
  async retryUnanswered(url: string): Promise<void> {
    for (const { path, write } of this.unanswered.splice(0)) {
      const body = await send(`${url}${write.target}`, write.init ?? {}, write.ok);
      if (body === null) {
        write.unsettled?.();
        continue;
      }
      this.tally[path].acknowledged++;
      write.acked(body);
    }
  }

  /** Every check, the added-up counts included; call once the load is over. */
  allChecks(): Check[] {
    const counts: Check[] = [];
    for (const [userId, count] of this.tracked) {
      // Two events per batch, stored all or nothing: counted in batches.
      counts.push({
        path: 'banner track',
        label: `${userId}: ${count} tracked events`,
        via: 'store',
        missing: async (port) =>
          Math.ceil(Math.max(0, count - ((await port.banner.user(APP, userId))?.events ?? 0)) / 2),
      });
      // Every batch the kill left unanswered was retried with its $insert_ids: stored by the
      // try or by the retry, never by both. More events than acknowledged (beyond batches
      // whose retry got no answer either) are batches stored twice.
      const allowed = count + (this.unsettled.get(userId) ?? 0);
      counts.push({
        path: 'banner track',
        label: `${userId}: ${count} tracked events acknowledged`,
        counts: 'duplicated',
        via: 'store',
        missing: async (port) =>
          Math.ceil(Math.max(0, ((await port.banner.user(APP, userId))?.events ?? 0) - allowed) / 2),
      });
    }
    for (const { target: t, count } of this.clicked.values()) {
      counts.push({
        path: 'offerwall click',
        label: `${t.uid}: ${count} clicks on ${t.offerId}`,
        via: 'store',
        missing: async (port) => {
          const p = (await port.offerwall.progressOf(APP, t.uid)).find((x) => x.offerId === t.offerId);
          return Math.max(0, count - (p?.clicks ?? 0));
        },
      });
    }
    return [...this.checks, ...counts];
  }
}
