import { isLive, type NewOffer, type Offer, type OfferLimits } from './journey-types.js';
import { renderTemplate, type TextTemplate } from './text-template.js';

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
}

function byPriority(a: { trigger: OfferTrigger }, b: { trigger: OfferTrigger }): number {
  return b.trigger.priority - a.trigger.priority;
}

type Considered = PlanInput['triggers'][number];

/** The last priority order computed, by the first trigger of the list it was computed for. */
const orders = new WeakMap<OfferTrigger, { triggers: readonly OfferTrigger[]; order: readonly number[] }>();

/**
 * The triggers by priority (ties in the list's order). Every user of a run comes with
 * the same triggers in the same order (the rules'), so the order is sorted once and
 * reused while the list holds the same triggers: sorting them per user was 2 % of a
 * generation run's CPU.
 */
function byPriorityOrder(list: readonly Considered[]): Considered[] {
  const first = list[0]?.trigger;
  if (first === undefined) return [];
  let known = orders.get(first);
  if (
    known === undefined ||
    known.triggers.length !== list.length ||
    !list.every((x, i) => x.trigger === known?.triggers[i])
  ) {
    const order = list
      .map((_, i) => i)
      .sort((a, b) => byPriority(list[a] as Considered, list[b] as Considered) || a - b);
    known = { triggers: list.map((x) => x.trigger), order };
    orders.set(first, known);
  }
  return known.order.map((i) => list[i] as Considered);
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
  at: number;
  createdAt: string;
  expiresAt: string;
  notOfferedSince: string | null;
}

/**
 * A trigger's offer instants at `now`, the last ones computed kept per trigger: a run
 * plans every user at one instant, and three toISOString per offer were a visible part
 * of its CPU profile.
 */
const lastInstants = new WeakMap<OfferTrigger, OfferInstants>();

function instantsOf(t: OfferTrigger, now: Date): OfferInstants {
  const at = now.getTime();
  const known = lastInstants.get(t);
  if (known !== undefined && known.at === at) return known;
  const instants = {
    at,
    createdAt: now.toISOString(),
    expiresAt: new Date(at + t.expiresInMs).toISOString(),
    notOfferedSince: t.cooldownMs > 0 ? new Date(at - t.cooldownMs).toISOString() : null,
  };
  lastInstants.set(t, instants);
  return instants;
}

function buildOffer(t: OfferTrigger, input: PlanInput): NewOffer {
  const instants = instantsOf(t, input.now);
  // Object.assign, not a spread plus a new key: such clones outlive young GCs on Node 20's V8.
  const facts = Object.assign({}, input.facts, {
    offer: { offerType: t.offerType, gameType: t.gameType, pointsValue: t.pointsValue },
  });
  return {
    id: input.newId(),
    externalId: input.externalId,
    offerType: t.offerType,
    gameType: t.gameType,
    title: renderTemplate(t.title, facts),
    description: renderTemplate(t.description, facts),
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
  const ordered = byPriorityOrder(input.triggers);
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
      create.push(buildOffer(t, input));
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
