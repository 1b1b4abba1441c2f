/** The working arrays of one ranking, by catalog position. */
export interface Work {
  /** The plan's drop codes, then the user's hidden completions. */
  readonly status: Uint8Array;
  /** 1: completed, and shown because the rules say so. */
  readonly completed: Uint8Array;
  readonly score: Float64Array;
  /** The unrounded metric behind each score. */
  readonly metric: Float64Array;
  /** The user's affinity by category number. */
  readonly affinity: Float64Array;
  /** Metric terms that do not depend on the user, when the user's completions change the ranges. */
  readonly partial: Float64Array;
  /** Room for the positions kept when the user's completions change them. */
  readonly kept: Int32Array;
}

/** Sets kept for reuse; more are made (and dropped) only while that many rankings overlap. */
const SPARE_SETS = 4;

/**
 * Working arrays for the rankings of one catalog. A ranking takes a set for itself and
 * gives it back when it ends, in a `finally`: no two rankings ever hold the same set, so
 * rankings may interleave at any stage. Why a pool, measured (CPU time, 1,000 offers):
 * new arrays per ranking cost 11–16 µs a set in isolation (each off-heap backing store
 * ~1.5–3 µs, plus the major GCs their external memory brings on), and a ranking in
 * bench/ranking-micro.ts took 81 µs with them against 53 µs with the shared scratch
 * (medians, same run); with the pool, 56 µs.
 */
export class WorkPool {
  readonly #spare: Work[] = [];

  constructor(
    private readonly size: number,
    private readonly categories: number,
  ) {}

  /** A set no other ranking holds; what it contains is left from its last ranking. */
  take(): Work {
    return this.#spare.pop() ?? newWork(this.size, this.categories);
  }

  /** Gives `work` back: its holder must not read or write it afterwards. */
  give(work: Work): void {
    if (this.#spare.length < SPARE_SETS) this.#spare.push(work);
  }
}

function newWork(n: number, categories: number): Work {
  return {
    status: new Uint8Array(n),
    completed: new Uint8Array(n),
    score: new Float64Array(n),
    metric: new Float64Array(n),
    affinity: new Float64Array(categories),
    partial: new Float64Array(n),
    kept: new Int32Array(n),
  };
}
