import type { Experiment } from './banner-types.js';

/** What conversion-time needs of a tracked event. */
export interface TimedEvent {
  /** The client's time in ms since the epoch, or null when it sent none. */
  time: number | null;
  /** ISO 8601. */
  receivedAt: string;
}

/** How long a time sent in whole seconds may stand for (the SDKs send seconds). */
const SECOND_MS = 1000;

/**
 * When an event counts as having happened, in ms since the epoch: its own time when it
 * sent one, but never later than its receipt (nothing happens after offerd received it);
 * else the receipt. So an event counts after an assignment only if it was both timed and
 * received after it: a client clock running fast cannot move a purchase made before the
 * player's first banner after the assignment (capped at receipt + 5 minutes it did, and
 * counted as a conversion its revenue left out). Past times are kept as sent (/import
 * sends history on purpose, an SDK delivers queued events late). A time in whole seconds
 * counts as the end of its second: a purchase in the second of the assignment may have
 * followed it, and the SDKs' `time` cannot say.
 */
export function conversionTime(event: TimedEvent): number {
  const received = Date.parse(event.receivedAt);
  if (event.time === null) return received;
  const latest = event.time % SECOND_MS === 0 ? event.time + SECOND_MS - 1 : event.time;
  return Math.min(latest, received);
}

/** conversionTime as ISO 8601 text. */
export const conversionAt = (event: TimedEvent): string => new Date(conversionTime(event)).toISOString();

/** The event an experiment sums revenue from, or null. */
function valuedEvent(e: Experiment): string | null {
  const { primary, primaryValue } = e.metrics;
  return primary !== null && primaryValue ? primary : null;
}

/**
 * Per valued event, the experiment whose property is kept: the first (rule order) not
 * stopped, else the first stopped one. A stopped experiment still takes the events that
 * happened before its end and arrive later (a device's queue), so it values them when
 * nothing running does: left out, such a purchase counted as a conversion with no revenue
 * (account-manager probe). It never decides a running one's property.
 */
function valueDeciders(experiments: readonly Experiment[]): Map<string, Experiment> {
  const byEvent = new Map<string, Experiment>();
  const stoppedLast = [
    ...experiments.filter((e) => e.status !== 'stopped'),
    ...experiments.filter((e) => e.status === 'stopped'),
  ];
  for (const e of stoppedLast) {
    const event = valuedEvent(e);
    if (event !== null && !byEvent.has(event)) byEvent.set(event, e);
  }
  return byEvent;
}

/**
 * Per event name, the property whose value is kept with the event (valueDeciders); two
 * experiments not stopped that do not agree are a warning of `offerd validate`
 * (conflictingValues).
 */
export function valueProperties(experiments: readonly Experiment[]): Map<string, string> {
  return new Map([...valueDeciders(experiments)].map(([event, e]) => [event, e.metrics.primaryValue ?? '']));
}

/** Experiments not stopped whose revenue would be read from another experiment's property: [it, the one kept]. */
export function conflictingValues(experiments: readonly Experiment[]): [Experiment, Experiment][] {
  const deciders = valueDeciders(experiments);
  return experiments.flatMap((e): [Experiment, Experiment][] => {
    const event = e.status === 'stopped' ? null : valuedEvent(e);
    const first = event === null ? undefined : deciders.get(event);
    return first && first.metrics.primaryValue !== e.metrics.primaryValue ? [[e, first]] : [];
  });
}

/**
 * The largest amount one event's revenue may be: far above any real purchase in any
 * currency's smallest unit, and small enough that the results' sums and sums of squares
 * stay finite. Two events of 1.7e308 (finite, so the body check passes them; the banner
 * key ships inside game clients) made an arm's sum Infinity: its revenue and every
 * comparison with it null for good on lowdb, and PostgreSQL's float sum an overflow error.
 */
export const MAX_REVENUE = 1e12;

/**
 * A property value usable as revenue: a JSON number from 0 to MAX_REVENUE. Anything else
 * (a string, a negative refund, NaN, Infinity, an absurd amount) is no value; the event
 * itself still counts.
 */
export function revenueValue(raw: unknown): number | null {
  return typeof raw === 'number' && raw >= 0 && raw <= MAX_REVENUE ? raw : null;
}
