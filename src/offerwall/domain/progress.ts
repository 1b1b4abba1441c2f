export type ProgressStatus = 'in_progress' | 'completed';

/** One user's relationship to one offer: started by a click, completed by its final event. */
export interface OfferProgress {
  appId: string;
  uid: string;
  offerId: number;
  wallId: number;
  /** The offer's category and type when it was started: the user's history for affinity. */
  category: string;
  offerType: number;
  status: ProgressStatus;
  /** The `sid3` of the first click, returned on postbacks. */
  sid3: string | null;
  clicks: number;
  firstClickAt: string | null;
  lastClickAt: string | null;
  /** Event ids completed so far, in the order their postbacks arrived. */
  completedEvents: string[];
  completedAt: string | null;
  updatedAt: string;
}

/** What a user's own history says about them, for rules (`user.*` facts) and ranking. */
export interface UserHistory {
  clicks: number;
  started: number;
  inProgress: number;
  completions: number;
  /** Category label → affinity in [0, 1]: 1 for the user's strongest category. */
  categories: Record<string, number>;
}

// A completion says more about a user's taste than a click.
const CLICK_WEIGHT = 1;
const COMPLETION_WEIGHT = 3;

export function userHistory(progress: Iterable<OfferProgress>): UserHistory {
  const raw = new Map<string, number>();
  const h: UserHistory = { clicks: 0, started: 0, inProgress: 0, completions: 0, categories: {} };
  for (const p of progress) {
    h.clicks += p.clicks;
    h.started += 1;
    if (p.status === 'completed') h.completions += 1;
    else h.inProgress += 1;
    const w = (p.clicks > 0 ? CLICK_WEIGHT : 0) + (p.status === 'completed' ? COMPLETION_WEIGHT : 0);
    raw.set(p.category, (raw.get(p.category) ?? 0) + w);
  }
  const max = Math.max(0, ...raw.values());
  for (const [category, w] of [...raw].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    h.categories[category] = max > 0 ? round(w / max, 4) : 0;
  }
  return h;
}

// 10 ** digits for the usual digits, computed once: rounding runs for every ranked offer.
const POWERS_OF_TEN = Array.from({ length: 10 }, (_, d) => 10 ** d);

export function round(value: number, digits: number): number {
  const f = POWERS_OF_TEN[digits] ?? 10 ** digits;
  return Math.round(value * f) / f;
}
