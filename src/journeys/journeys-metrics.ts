import { Counter, Histogram, type Registry } from 'prom-client';

/** The journeys API's Prometheus metrics, registered once per service on its registry. */
export interface JourneysMetrics {
  generationRuns: Counter<'app' | 'trigger'>;
  generationDuration: Histogram<'app'>;
  usersScanned: Counter<'app' | 'environment'>;
  offersCreated: Counter<'app' | 'environment' | 'offer_type'>;
  offersExpired: Counter<'app' | 'environment' | 'offer_type'>;
  offersClaimed: Counter<'app' | 'environment' | 'offer_type'>;
  eventsTracked: Counter<'app' | 'environment'>;
}

export function createJourneysMetrics(registry: Registry): JourneysMetrics {
  const registers = [registry];
  return {
    generationRuns: new Counter({
      name: 'offerd_journeys_generation_runs_total',
      help: 'Offer generation runs by app and what started them (schedule, admin, cli)',
      labelNames: ['app', 'trigger'],
      registers,
    }),
    generationDuration: new Histogram({
      name: 'offerd_journeys_generation_duration_seconds',
      help: 'Duration of offer generation runs',
      labelNames: ['app'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120],
      registers,
    }),
    usersScanned: new Counter({
      name: 'offerd_journeys_users_scanned_total',
      help: 'Users looked at by offer generation runs',
      labelNames: ['app', 'environment'],
      registers,
    }),
    offersCreated: new Counter({
      name: 'offerd_journeys_offers_created_total',
      help: 'Offers created by generation runs, by type',
      labelNames: ['app', 'environment', 'offer_type'],
      registers,
    }),
    offersExpired: new Counter({
      name: 'offerd_journeys_offers_expired_total',
      help: 'Offers marked expired by generation runs, by type',
      labelNames: ['app', 'environment', 'offer_type'],
      registers,
    }),
    offersClaimed: new Counter({
      name: 'offerd_journeys_offers_claimed_total',
      help: 'Offers claimed by users, by type',
      labelNames: ['app', 'environment', 'offer_type'],
      registers,
    }),
    eventsTracked: new Counter({
      name: 'offerd_journeys_events_tracked_total',
      help: 'Events stored (retries recognised by their client event id are not counted)',
      labelNames: ['app', 'environment'],
      registers,
    }),
  };
}
