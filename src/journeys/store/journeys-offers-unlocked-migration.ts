import type { Migration } from '../../store/postgres/migrate.js';

/**
 * Offers without the foreign key to their user. Each offer inserted took a FOR KEY SHARE
 * lock on its user's row to check it: a row write per offer, three million of them when
 * generation runs on a million users. The key holds another way: users are never deleted,
 * and createOffers checks that each user exists under the partition's advisory lock before
 * it inserts (see journeys-postgres-offers.ts). Events keep theirs: they arrive one request
 * at a time, where the check costs nothing noticeable.
 */
export const JOURNEYS_OFFERS_UNLOCKED_MIGRATION: Migration = {
  version: 202,
  name: 'journeys: offers checked against their user by createOffers, not a foreign key',
  sql: `
    ALTER TABLE journeys_offers DROP CONSTRAINT IF EXISTS journeys_offers_app_id_environment_external_id_fkey;
  `,
};
