import type { Experiment } from './banner-types.js';
import { sharesSlot } from './experiment-choice.js';

/** One experiment at one bucket version, as an assignment names it. */
interface Held {
  experimentId: string;
  bucketVersion: number;
}

/**
 * Of a sign-in's new id's assignments (`incoming`), those a merge into the player must drop
 * besides the ones of an experiment and bucket version the player holds: an experiment
 * sharing its slot with one the player is enrolled in (live, at its current bucket version).
 * Moved, it would enrol the player in two experiments of one slot, which the slot claim never
 * allows: their banner could switch between the two, and both would count them. The
 * player's own enrollment stays.
 */
export function slotRivalsHeld(
  experiments: readonly Experiment[],
  held: readonly Held[],
  incoming: readonly Held[],
): Held[] {
  const byId = new Map(experiments.map((e) => [e.id, e]));
  const enrolled = held.flatMap((h) => {
    const e = byId.get(h.experimentId);
    return e && e.status !== 'stopped' && e.bucketVersion === h.bucketVersion ? [e] : [];
  });
  return incoming
    .filter((a) => {
      const e = byId.get(a.experimentId);
      return e !== undefined && enrolled.some((mine) => mine.id !== e.id && sharesSlot(mine, e));
    })
    .map((a) => ({ experimentId: a.experimentId, bucketVersion: a.bucketVersion }));
}
