import type { Problem } from '../../rules/problems.js';

/**
 * A rule that loads and serves, but very likely does not do what its author meant:
 * `offerd validate` prints it as a warning at its file:line:col and still exits 0.
 */
export interface RuleLint extends Problem {
  /** The experiment concerned, when there is one. */
  experimentId: string | null;
  /** The banner rule concerned, when there is one. */
  bannerId: string | null;
}
