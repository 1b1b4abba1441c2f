/**
 * How long before a sign-in's `_kb_identify` its new id may have been first seen and still be
 * taken over by the link (its renders, assignments and profile merged into the anonymous
 * player: SdkService.link). Unity's Identify(id) only queues the event; the SDK flushes every
 * 60 s (Config.FlushInterval), and after a failed flush waits 60 s × 2^(n-1), capped at 10
 * minutes (Controller.SendData), while GetPersonalizedBanner and a People.Set under the new id
 * reach offerd at once. Ten minutes covers the flush and three failed tries (1 + 1 + 2 + 4 min).
 * An id first seen earlier is a player of their own: linking it would let anyone holding the
 * public key take over that player's variation and profile (docs/security.md).
 */
export const SIGN_IN_WINDOW_MS = 10 * 60_000;
