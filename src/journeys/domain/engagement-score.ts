import type { ProfileAggregates } from './profile-aggregates.js';

/** One part of the engagement score: its weight (points out of 100) and where it saturates. */
export interface ScoreComponent {
  weight: number;
  /** The value at which the component is full (for recency: the day count at which it is empty). */
  cap: number;
}

/** The documented engagement score: recency, frequency (plays 30 d), monetary (points 30 d), breadth (campaigns). */
export interface ScoreModel {
  recency: ScoreComponent;
  frequency: ScoreComponent;
  monetary: ScoreComponent;
  breadth: ScoreComponent;
}

export interface ScorePart {
  component: keyof ScoreModel;
  value: number;
  /** 0–1 after the cap. */
  normalized: number;
  points: number;
}

export interface EngagementScore {
  score: number;
  breakdown: ScorePart[];
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));
const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Score 0–100 (integer): each component normalized to 0–1 by its cap, times its weight. */
export function engagementScore(model: ScoreModel, a: ProfileAggregates): EngagementScore {
  const parts: [keyof ScoreModel, number, number][] = [
    ['recency', a.daysSinceLastSeen, 1 - clamp01(a.daysSinceLastSeen / model.recency.cap)],
    ['frequency', a.plays30d, clamp01(a.plays30d / model.frequency.cap)],
    ['monetary', a.pointsEarned30d, clamp01(a.pointsEarned30d / model.monetary.cap)],
    ['breadth', a.campaignsJoined, clamp01(a.campaignsJoined / model.breadth.cap)],
  ];
  const breakdown = parts.map(([component, value, normalized]) => ({
    component,
    value: round2(value),
    normalized: round2(normalized),
    points: round2(normalized * model[component].weight),
  }));
  const total = parts.reduce((sum, [c, , n]) => sum + n * model[c].weight, 0);
  return { score: Math.min(100, Math.max(0, Math.round(total))), breakdown };
}
