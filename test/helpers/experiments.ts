import type { Experiment } from '../../src/banner/domain/banner-types.js';

/** A running experiment as the banner rules compile one: 100 % traffic, control and one variation at 50/50; `over` changes any of it. */
export const testExperiment = (id: string, over: Partial<Experiment> = {}): Experiment => ({
  id,
  description: '',
  status: 'running',
  bucketVersion: 1,
  trafficAllocation: 100,
  occasion: null,
  hasEligibility: false,
  hashVersion: 1,
  controlBanner: false,
  metrics: { primary: null, secondary: [] },
  variations: [
    { id: 0, name: 'control', weight: 50 },
    { id: 1, name: 'x', weight: 50 },
  ],
  ...over,
});
