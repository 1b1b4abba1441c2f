import { useEffect } from 'preact/hooks';
import { api } from './api.js';

/** How often an open, visible page asks whether the rules served changed. */
const EVERY_MS = 10_000;

/** What of /admin/rules a page's figures hang on: each app's serving snapshot, refused change and pin. */
const signature = (rules) =>
  JSON.stringify(
    rules.apps.map((a) => [a.appId, a.active?.hash, a.lastError?.at, a.pinned?.hash, a.pinned?.pendingHash]),
  );

/**
 * Calls `onChange` when the rules served change (the watcher, a reload or a rollback from
 * elsewhere): an open Experiments or Apps tab kept the old traffic, version and hash. One small
 * GET every 10 s, and only while the tab is visible; a failed check is skipped (the page's own
 * load shows errors).
 */
export function useRulesChange(onChange) {
  useEffect(() => {
    let live = true;
    let last = null;
    const check = async () => {
      if (document.visibilityState !== 'visible') return;
      try {
        const now = signature((await api('GET', '/admin/rules')).body);
        if (live && last !== null && now !== last) onChange();
        last = now;
      } catch {
        // Said by the page's own load, on its next refresh.
      }
    };
    check();
    const timer = setInterval(check, EVERY_MS);
    document.addEventListener('visibilitychange', check);
    return () => {
      live = false;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', check);
    };
  }, [onChange]);
}
