import type { BannerService } from '../banner-service.js';
import type { BannerRules } from '../rules/banner-kind.js';
import type { TrackedEvent } from '../store/banner-store.js';
import type { ProfileStore } from '../store/profile-store.js';
import type { SdkProfileBatch } from './engage-request.js';
import { ANONYMOUS_USER, type RejectedRecord, type SdkAlias, type SdkBatch } from './sdk-events.js';
import type { SignInMerge } from './sign-in-merge.js';
import { SIGN_IN_WINDOW_MS } from './sign-in-window.js';

/** The ids of the special offers `rules` can grant: only a link reads them, not every batch. */
const specialOfferIds = (rules: BannerRules | null): string[] =>
  rules?.specialOffers.offers.data.map((o) => o.id) ?? [];

/** What one /track or /import call stored. */
export interface TrackOutcome {
  stored: number;
  /** Events a retry had already delivered: not stored again, counted as delivered. */
  duplicates: number;
  rejected: RejectedRecord[];
}

/** The first item of each key in the batch, and every item without one. */
function firstOfEachKey<T>(items: readonly T[], key: (item: T) => string | null): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (k === null) return true;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The Kibotu SDK's calls besides the banner itself: tracking with aliases and
 * de-duplication, and profile updates. Reads and writes through the store ports only.
 */
export class SdkService {
  constructor(
    private readonly banner: BannerService,
    private readonly profiles: ProfileStore,
    private readonly signIns: SignInMerge,
  ) {}

  /** BannerService.recordEnds: before a batch under these rules is stored. */
  recordEnds(appId: string, rules: BannerRules): Promise<void> {
    return this.banner.recordEnds(appId, rules);
  }

  /** The distinct id an id sent by a client stands for (itself unless it is an alias). */
  resolve(appId: string, id: string): Promise<string> {
    return this.profiles.resolve(appId, id);
  }

  /**
   * Links the batch's aliases, then stores its valid events under their resolved users,
   * each insert key once per app (sdk-events.ts insertIdOf): the store claims the ids for the events and keeps the
   * claims only once the events are stored (see ProfileStore.claimInsertIds), so that a
   * retry is never answered as a duplicate of events that were not.
   */
  async track(
    appId: string,
    batch: SdkBatch,
    at: Date,
    rules: BannerRules | null = null,
  ): Promise<TrackOutcome> {
    const rejected = [...batch.rejected];
    for (const a of batch.aliases) {
      const refused = await this.link(appId, a, at, rules);
      if (refused && a.source === 'alias')
        rejected.push({ index: a.index, field: 'properties.alias', message: refused });
    }
    const unique = firstOfEachKey(batch.events, (e) => e.insertId);
    const ids = unique.flatMap((e) => (e.insertId === null ? [] : [e.insertId]));
    let events: TrackedEvent[] = [];
    let keys: (string | null)[] = [];
    await this.profiles.claimInsertIds(appId, ids, at, async (claimed) => {
      const fresh = unique.filter((e) => e.insertId === null || claimed.has(e.insertId));
      const users = new Map<string, string>();
      for (const e of fresh) {
        if (!users.has(e.event.userId)) users.set(e.event.userId, await this.resolve(appId, e.event.userId));
      }
      events = fresh.map((e) => ({ ...e.event, userId: users.get(e.event.userId) ?? e.event.userId }));
      keys = fresh.map((e) => e.insertId);
      // With their keys: a try cut short by a crash after the events but before the claims
      // were on disk is retried with them, and stores nothing twice (BannerStore.track).
      if (events.length > 0) await this.banner.track(appId, events, keys);
    });
    // The claims are durable now: they answer a retry from here on.
    if (events.length > 0) this.banner.settleInsertKeys(appId, events, keys);
    const stored = events.length;
    return {
      stored,
      duplicates: batch.events.length - stored,
      rejected: rejected.sort((a, b) => a.index - b.index),
    };
  }

  /**
   * Links the alias unless it is a user of its own: seen by a render, a tracked event, an
   * assignment, a profile update or a grant of one of the `rules`' special offers (whose grants
   * a retry replays) under that id, or an id other ids are linked to;
   * nor to the shared anonymous user. An alias is a new id for an existing user
   * (Mixpanel's rule for $create_alias); without the check, anyone holding the app's public
   * key could alias a player's id to their own and take over that player's banners,
   * variation, events and profile for good (first link wins). Returns why it was refused.
   * A link already made is not checked again: a retried batch links nothing twice. A
   * profile update, a link, or an event, render or grant of the alias racing the link is
   * checked again in the link's atomic step (ProfileStore.alias), and those writes resolve
   * their id atomically with it: each ends as if it came before the link (refused: the id
   * has data) or after it (stored under the user the alias links to).
   *
   * A sign-in (`_kb_identify`, not `$create_alias`) is sent by Unity only at its next flush,
   * while the banner and a People.Set under the new id are sent at once: the new id may hold
   * renders, assignments and a profile by then. When that is all it holds and it was first
   * seen within SIGN_IN_WINDOW_MS before the link (at `at`), it is linked anyway and merged
   * into the player (ProfileStore.alias adoptSince, BannerStore.adopt): the player keeps
   * their variation, events and profile; an assignment of the new id in an experiment sharing
   * its slot with the player's is dropped too (SignInMerge.slotRivalsHeld). An older id, or
   * one with events, grants or ids linked to it, is refused as before: that is the takeover
   * the check is for.
   */
  private async link(
    appId: string,
    a: SdkAlias,
    at: Date,
    rules: BannerRules | null,
  ): Promise<string | null> {
    if (a.distinctId === ANONYMOUS_USER)
      return `'${ANONYMOUS_USER}' holds the events sent without an id: no user is linked to it`;
    const refusal = `'${a.alias}' is already a user with data of its own: an alias must be a new id`;
    const adoptSince = a.source === 'identify' ? new Date(at.getTime() - SIGN_IN_WINDOW_MS) : null;
    const linked = (await this.profiles.resolve(appId, a.alias)) !== a.alias;
    if (!linked && a.alias !== (await this.profiles.resolve(appId, a.distinctId))) {
      const own =
        (adoptSince === null
          ? (await this.banner.knows(appId, a.alias)) ||
            (await this.profiles.profile(appId, 'user', a.alias)) !== null
          : !(await this.signIns.onlySeenSince(appId, a.alias, adoptSince))) ||
        (await this.profiles.granted(appId, a.alias, specialOfferIds(rules))) ||
        (await this.profiles.linkedTo(appId, a.alias));
      if (own) return refusal;
    }
    // The checks again, in the link's atomic step: any of them may have changed since. The
    // profile's age is checked there only (ProfileStore.alias).
    const offers = specialOfferIds(rules);
    // Read before the link: a rival enrollment the player gains meanwhile is not seen (rare).
    const drop =
      adoptSince === null
        ? []
        : await this.signIns.slotRivalsHeld(appId, rules, a.alias, await this.resolve(appId, a.distinctId));
    const linkedTo = await this.profiles.alias(appId, a.alias, a.distinctId, true, offers, adoptSince, drop);
    if (linkedTo === null) return refusal;
    if (adoptSince !== null && linkedTo !== a.alias) await this.signIns.adopt(appId, a.alias, linkedTo, drop);
    return null;
  }

  /**
   * Applies the valid updates (user ids resolved through aliases); returns every rejected one.
   * An update with a retry key (Unity's) is applied once: its key is claimed as an event's
   * insert id is, and kept only once the update is stored, so a retry of an applied update
   * is acknowledged without applying it again.
   */
  async updateProfiles(appId: string, batch: SdkProfileBatch, at: Date): Promise<RejectedRecord[]> {
    const unique = firstOfEachKey(batch.updates, (u) => u.retryKey);
    const keys = unique.flatMap((u) => (u.retryKey === null ? [] : [u.retryKey]));
    const failed: RejectedRecord[] = [];
    // With when they came: a profile an update makes was first seen then (a sign-in's window).
    let updates: (SdkProfileBatch['updates'][number] & { at: Date })[] = [];
    await this.profiles.claimInsertIds(appId, keys, at, async (claimed) => {
      updates = [];
      for (const u of unique) {
        if (u.retryKey !== null && !claimed.has(u.retryKey)) continue;
        updates.push({ ...u, id: u.kind === 'user' ? await this.resolve(appId, u.id) : u.id, at });
      }
      const results = await this.profiles.update(appId, updates);
      for (const [i, message] of results.entries()) {
        if (message !== null) failed.push({ index: updates[i]?.index ?? i, field: '', message });
      }
    });
    // The claims are durable now: they answer a retry from here on.
    if (keys.length > 0) this.profiles.settleRetryKeys?.(appId, updates);
    return [...batch.rejected, ...failed].sort((a, b) => a.index - b.index);
  }
}
