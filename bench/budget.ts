/** The performance budget `npm run bench` checks: each line PASS or FAIL, and whether all passed. */
import type { ApiFigures } from './api-loads.js';
import type { ReloadFigures } from './reload-check.js';

export const BUDGET = {
  minRatio: 0.25,
  /**
   * p99 at most this many times the floor's p99 (medians of the rounds), measured in the
   * same run: an absolute bound (it was 25 ms) failed whenever the shared host was slow,
   * the floor's own p99 included (24–30 ms in such a run, 4 ms in a quiet one).
   */
  maxP99OfFloor: 3,
  maxReloadMs: 500,
  maxRssMb: 500,
} as const;

export interface Check {
  ok: boolean;
  line: string;
}

const check = (ok: boolean, what: string): Check => ({ ok, line: `${ok ? 'PASS' : 'FAIL'} ${what}` });

export function checkBudget(
  apis: readonly Pick<
    ApiFigures,
    'api' | 'ratio' | 'p99' | 'p99Worst' | 'floorP99Median' | 'non2xx' | 'errors'
  >[],
  reload: ReloadFigures | null,
  rssMb: number,
): Check[] {
  const checks: Check[] = [];
  for (const a of apis) {
    checks.push(
      check(
        a.ratio >= BUDGET.minRatio,
        `${a.api}: ratio ${a.ratio} >= ${BUDGET.minRatio} of floor (median of the rounds)`,
      ),
    );
    checks.push(
      check(a.non2xx === 0 && a.errors === 0, `${a.api}: ${a.non2xx} non-2xx, ${a.errors} errors (0)`),
    );
    checks.push(
      check(
        a.p99 <= BUDGET.maxP99OfFloor * a.floorP99Median,
        `${a.api}: p99 ${a.p99} ms <= ${BUDGET.maxP99OfFloor} × the floor's ${a.floorP99Median} ms (medians of the rounds; worst ${a.p99Worst} ms)`,
      ),
    );
  }
  if (reload) checks.push(...reloadChecks(reload));
  checks.push(check(rssMb < BUDGET.maxRssMb, `rss: ${rssMb} MB < ${BUDGET.maxRssMb} MB after the load`));
  return checks;
}

function reloadChecks(reload: ReloadFigures): Check[] {
  return [
    check(
      reload.activated === reload.reloads &&
        reload.reloads === 20 &&
        reload.versionsSeen === reload.reloads + 1,
      `reload: ${reload.activated}/${reload.reloads} reloads activated, ${reload.versionsSeen} versions seen in responses`,
    ),
    check(reload.failed === 0, `reload: ${reload.failed} failed requests of ${reload.requests} (0)`),
    check(reload.mixed === 0, `reload: ${reload.mixed} responses mixing versions (0)`),
    check(
      reload.reloadMsMax < BUDGET.maxReloadMs,
      `reload: ${reload.reloadMsMax} ms < ${BUDGET.maxReloadMs} ms (rules ×10)`,
    ),
  ];
}
