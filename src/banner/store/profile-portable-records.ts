import type { ProfileProperties } from '../domain/profile-ops.js';
import type { ProfileKind } from './profile-store.js';

/**
 * The canonical shape of the SDK profile collections in `offerd store copy`: the same
 * records whichever adapter exported them (times as ISO 8601 UTC with milliseconds).
 */
export interface ProfilePortableRecord {
  appId: string;
  kind: ProfileKind;
  id: string;
  properties: ProfileProperties;
}

export interface AliasPortableRecord {
  appId: string;
  alias: string;
  distinctId: string;
}

export interface InsertIdPortableRecord {
  appId: string;
  id: string;
  seenAt: string;
}

export interface GrantPortableRecord {
  appId: string;
  userId: string;
  offerId: string;
  count: number;
  lastAt: string;
  /** The predict_id the last grant was made for; null when none (or exported by an earlier version). */
  predictId: string | null;
}
