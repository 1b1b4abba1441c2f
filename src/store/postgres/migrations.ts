import { BANNER_MIGRATIONS } from '../../banner/store/banner-migrations.js';
import { JOURNEYS_MIGRATION } from '../../journeys/store/journeys-migration.js';
import { OFFERWALL_MIGRATION } from '../../offerwall/store/offerwall-migration.js';
import { ADMIN_ACTIONS_MIGRATION } from './admin-actions.js';
import type { Migration } from './migrate.js';

/**
 * The PostgreSQL schema, one versioned step at a time. Never edit a released step:
 * add a new one. Invariants the APIs promise are constraints here, not code.
 */
export const MIGRATIONS: readonly Migration[] = [
  OFFERWALL_MIGRATION,
  ...BANNER_MIGRATIONS,
  JOURNEYS_MIGRATION,
  ADMIN_ACTIONS_MIGRATION,
];
