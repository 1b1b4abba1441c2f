import { isoTime as time, isoTimeOrNull as timeOrNull } from '../../store/portable.js';
import type { Ban } from '../domain/bans.js';
import type { OfferProgress } from '../domain/progress.js';
import type { StoredCatalog, TransactionRecord } from './offerwall-store.js';

/*
 * The canonical shape of each portable collection, built field by field from what an
 * adapter holds, so two adapters holding the same data export the same JSON: exactly
 * these fields, times as ISO with milliseconds, lists in a defined order.
 */

export const catalogRecord = (c: StoredCatalog): StoredCatalog => ({
  appId: c.appId,
  wallId: c.wallId,
  syncedAt: time(c.syncedAt),
  offers: c.offers,
  retired: (c.retired ?? []).map((r) => ({ offer: r.offer, retiredAt: time(r.retiredAt) })),
});

export const progressRecord = (p: OfferProgress): OfferProgress => ({
  appId: p.appId,
  uid: p.uid,
  offerId: p.offerId,
  wallId: p.wallId,
  category: p.category,
  offerType: p.offerType,
  status: p.status,
  sid3: p.sid3,
  clicks: p.clicks,
  firstClickAt: timeOrNull(p.firstClickAt),
  lastClickAt: timeOrNull(p.lastClickAt),
  completedEvents: [...p.completedEvents],
  completedAt: timeOrNull(p.completedAt),
  updatedAt: time(p.updatedAt),
});

export const transactionRecord = (t: TransactionRecord): TransactionRecord => ({
  appId: t.appId,
  transactionId: t.transactionId,
  uid: t.uid,
  offerId: t.offerId,
  eventId: t.eventId,
  at: time(t.at),
});

export const banRecord = (b: Ban): Ban => ({
  id: b.id,
  appId: b.appId,
  type: b.type,
  value: b.value,
  wallId: b.wallId,
  reason: b.reason,
  createdAt: time(b.createdAt),
});
