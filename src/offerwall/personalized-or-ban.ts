import { AppError } from '../http/app-error.js';
import type { Ban } from './domain/bans.js';
import type { BanSubjectQuery, OfferwallParams, PersonalizedQuery } from './offerwall-params.js';

/** The ban that stops serving a request's subject, if any; undefined also for a wall that does not exist. */
export type BanOfSubject = (subject: BanSubjectQuery) => Promise<Ban | undefined>;

/**
 * A personalized request's parameters, or the ban that stops serving its user: RevU calls a
 * 403 ban "definitive" for support tools, so once uid and wall are readable a ban answers
 * before any other bad parameter (an unreadable `ip` leaves only user bans to check). Else
 * the 400 INVALID_PARAMETER naming every bad parameter is thrown; with a ban it is returned
 * beside it, for an explanation to name what the ban answered before. One order for the live
 * route and the case runner (explain, fixtures, replay): explain answered 400 for a banned
 * uid without `numoffers` while the live wall answered 403 (account-manager probe).
 */
export async function personalizedOrBan(
  params: OfferwallParams,
  uid: string,
  query: Record<string, string | string[] | undefined>,
  banOf: BanOfSubject,
): Promise<{ query: PersonalizedQuery } | { ban: Ban; invalid: AppError }> {
  try {
    return { query: params.personalized(uid, query) };
  } catch (invalid) {
    if (!(invalid instanceof AppError)) throw invalid;
    const subject = params.banSubject(uid, query);
    const ban = subject ? await banOf(subject) : undefined;
    if (!ban) throw invalid;
    return { ban, invalid };
  }
}
