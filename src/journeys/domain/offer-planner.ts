import { isLive, type NewOffer, type Offer, type OfferLimits } from './journey-types.js';
import { renderTemplate, type TextTemplate, templateRoots } from './text-template.js';

/** An offer type's trigger as compiled from the rules (its condition is evaluated elsewhere). */
export interface OfferTrigger {
  offerType: string;
  /** Higher first; ties keep the order of the rule files. */
  priority: number;
  gameType: string | null;
  title: TextTemplate;
  description: TextTemplate;
  pointsValue: number;
  expiresInMs: number;
  /** No new offer of this type until this long after the previous one was created. */
  cooldownMs: number;
  metadata: Readonly<Record<string, unknown>>;
}

export type TriggerVerdict = 'created' | 'no_match' | 'inactive' | 'type_active' | 'cooldown' | 'max_active';

/** MATCH: something to create; NO_MATCH: no trigger matched; LIMITED: matched but every one blocked; INACTIVE. */
export type PlanReason = 'MATCH' | 'NO_MATCH' | 'LIMITED' | 'INACTIVE';

export interface OfferPlan {
  reason: PlanReason;
  create: NewOffer[];
  /** Every trigger in the order considered, with what happened to it: the "why not". */
  verdicts: { offerType: string; priority: number; verdict: TriggerVerdict }[];
}

export interface PlanInput {
  externalId: string;
  /** Triggers with whether their condition matched this user. */
  triggers: readonly { trigger: OfferTrigger; matched: boolean }[];
  /** All of the user's offers, any status (cooldowns look at past ones). */
  offers: readonly Offer[];
  limits: OfferLimits;
  daysSinceLastSeen: number;
  /** Facts the templates read (`user`, `profile`, ...); `offer` is added per trigger. */
  facts: Record<string, unknown>;
  now: Date;
  newId: () => string;
  /** A generation run's memo (see PlanMemo); absent: everything computed for this call. */
  memo?: PlanMemo;
}

function byPriority(a: { trigger: OfferTrigger }, b: { trigger: OfferTrigger }): number {
  return b.trigger.priority - a.trigger.priority;
}

type Considered = PlanInput['triggers'][number];

/** The positions of `list` by priority, ties in the list's order. */
function priorityOrder(list: readonly Considered[]): number[] {
  return list
    .map((_, i) => i)
    .sort((a, b) => byPriority(list[a] as Considered, list[b] as Considered) || a - b);
}

function lastCreatedByType(offers: readonly Offer[]): Map<string, number> {
  const last = new Map<string, number>();
  for (const o of offers) {
    const at = Date.parse(o.createdAt);
    if (at > (last.get(o.offerType) ?? Number.NEGATIVE_INFINITY)) last.set(o.offerType, at);
  }
  return last;
}

interface OfferInstants {
  createdAt: string;
  expiresAt: string;
  notOfferedSince: string | null;
}

function offerInstants(t: OfferTrigger, now: Date): OfferInstants {
  const at = now.getTime();
  return {
    createdAt: now.toISOString(),
    expiresAt: new Date(at + t.expiresInMs).toISOString(),
    notOfferedSince: t.cooldownMs > 0 ? new Date(at - t.cooldownMs).toISOString() : null,
  };
}

/**
 * What planning computes alike for every user of one generation run, which plans them all
 * at one instant: the triggers' priority order (by their priorities) and each trigger's
 * offer instants (by its expiry and cooldown). Owned by the run (journeys-generation.ts),
 * so it dies with it; keyed by those values, never by the trigger objects. Sorting per user
 * and three toISOString per offer were ~2 % and a visible share of a run's CPU profile.
 */
export class PlanMemo {
  private readonly orders = new Map<string, readonly number[]>();
  private readonly instants = new Map<string, OfferInstants>();
  private readonly texts = new Map<OfferTrigger, OfferTexts>();
  private previous: { list: readonly Considered[]; order: readonly number[] } | null = null;

  constructor(readonly now: Date) {}

  order(list: readonly Considered[]): readonly number[] {
    // Every user of a run is evaluated against the same triggers in the same order: the
    // previous list's order holds when each trigger is the same one (no key string per user).
    const previous = this.previous;
    if (previous !== null && previous.list.length === list.length) {
      let same = true;
      for (let i = 0; i < list.length && same; i++)
        same = (list[i] as Considered).trigger === (previous.list[i] as Considered).trigger;
      if (same) return previous.order;
    }
    const order = this.orderByPriorities(list);
    this.previous = { list, order };
    return order;
  }

  private orderByPriorities(list: readonly Considered[]): readonly number[] {
    let key = '';
    for (const x of list) key += `${x.trigger.priority},`;
    let order = this.orders.get(key);
    if (order === undefined) {
      order = priorityOrder(list);
      this.orders.set(key, order);
    }
    return order;
  }

  instantsOf(t: OfferTrigger): OfferInstants {
    const key = `${t.expiresInMs},${t.cooldownMs}`;
    let instants = this.instants.get(key);
    if (instants === undefined) {
      instants = offerInstants(t, this.now);
      this.instants.set(key, instants);
    }
    return instants;
  }

  /**
   * The trigger's title and description where they read only the offer's own fields
   * (`{{ offer.pointsValue }}`, or no placeholder): the same text for every user, rendered
   * once per run instead of per offer with a copy of the user's facts. Keyed by the trigger
   * object: the run's rules snapshot holds it, unchanged, for the whole run.
   */
  textsOf(t: OfferTrigger): OfferTexts {
    let texts = this.texts.get(t);
    if (texts === undefined) {
      const facts = { offer: offerFacts(t) };
      const fixed = (template: TextTemplate) =>
        templateRoots(template).every((root) => root === 'offer') ? renderTemplate(template, facts) : null;
      texts = { title: fixed(t.title), description: fixed(t.description) };
      this.texts.set(t, texts);
    }
    return texts;
  }
}

/** A trigger's texts that are the same for every user, null where a text reads the user's facts. */
interface OfferTexts {
  title: string | null;
  description: string | null;
}

/** What the templates read under `offer`: the rules check `{{ offer.* }}` against these. */
export const OFFER_TEMPLATE_FIELDS = [
  'offerType',
  'gameType',
  'pointsValue',
] as const satisfies readonly (keyof OfferTrigger)[];

/** What the templates read under `offer`. */
function offerFacts(t: OfferTrigger): { [K in (typeof OFFER_TEMPLATE_FIELDS)[number]]: OfferTrigger[K] } {
  return { offerType: t.offerType, gameType: t.gameType, pointsValue: t.pointsValue };
}

/** The run's memo when it is for this instant (a caller may plan at another). */
function memoAt(input: PlanInput): PlanMemo | null {
  return input.memo !== undefined && input.memo.now.getTime() === input.now.getTime() ? input.memo : null;
}

/** What a text that reads only the offer is rendered with: nothing (its text comes from the memo). */
const NO_FACTS: Readonly<Record<string, unknown>> = Object.freeze({});

/** The facts a user's offer text reads: theirs and the offer's. */
function userOfferFacts(t: OfferTrigger, input: PlanInput): Record<string, unknown> {
  // Object.assign, not a spread plus a new key: such clones outlive young GCs on Node 20's V8.
  return Object.assign({}, input.facts, { offer: offerFacts(t) });
}

function buildOffer(t: OfferTrigger, input: PlanInput, memo: PlanMemo | null): NewOffer {
  const instants = memo ? memo.instantsOf(t) : offerInstants(t, input.now);
  const fixed = memo?.textsOf(t);
  // The user's facts copied only for a text that reads them.
  const readsFacts = fixed === undefined || fixed.title === null || fixed.description === null;
  const facts = readsFacts ? userOfferFacts(t, input) : NO_FACTS;
  const title = fixed?.title ?? renderTemplate(t.title, facts);
  const description = fixed?.description ?? renderTemplate(t.description, facts);
  return {
    id: input.newId(),
    externalId: input.externalId,
    offerType: t.offerType,
    gameType: t.gameType,
    title,
    description,
    pointsValue: t.pointsValue,
    createdAt: instants.createdAt,
    expiresAt: instants.expiresAt,
    metadata: { ...t.metadata },
    notOfferedSince: instants.notOfferedSince,
  };
}

/**
 * Which offers to create for one user: matched triggers by priority, skipping types
 * already active (up to the per-type limit) or in cooldown, until the user holds the
 * maximum of active offers. Nothing for users inactive longer than the limit.
 */
export function planOffers(input: PlanInput): OfferPlan {
  const memo = memoAt(input);
  const order = memo ? memo.order(input.triggers) : priorityOrder(input.triggers);
  const ordered = order.map((i) => input.triggers[i] as Considered);
  const { limits, now } = input;
  const live = input.offers.filter((o) => isLive(o, now));
  const activeByType = new Map<string, number>();
  for (const o of live) activeByType.set(o.offerType, (activeByType.get(o.offerType) ?? 0) + 1);
  const lastCreated = lastCreatedByType(input.offers);
  const inactive = input.daysSinceLastSeen > limits.inactivityDays;
  let active = live.length;
  const create: NewOffer[] = [];
  const verdicts = ordered.map(({ trigger: t, matched }) => {
    const verdict = ((): TriggerVerdict => {
      if (!matched) return 'no_match';
      if (inactive) return 'inactive';
      if ((activeByType.get(t.offerType) ?? 0) >= limits.maxActivePerType) return 'type_active';
      const last = lastCreated.get(t.offerType);
      if (last !== undefined && now.getTime() - last < t.cooldownMs) return 'cooldown';
      if (active >= limits.maxActiveOffers) return 'max_active';
      return 'created';
    })();
    if (verdict === 'created') {
      create.push(buildOffer(t, input, memo));
      active++;
      activeByType.set(t.offerType, (activeByType.get(t.offerType) ?? 0) + 1);
    }
    return { offerType: t.offerType, priority: t.priority, verdict };
  });
  const anyMatched = ordered.some((t) => t.matched);
  const reason: PlanReason = inactive
    ? 'INACTIVE'
    : create.length > 0
      ? 'MATCH'
      : anyMatched
        ? 'LIMITED'
        : 'NO_MATCH';
  return { reason, create, verdicts };
}
