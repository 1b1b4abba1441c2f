import type { MutationReport } from './mutation-run.js';

/** The suite's figures as people read them; the last line says pass or fail. */
export function formatReport(r: MutationReport): string {
  const t = r.traffic;
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  const byApi = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  const categories = Object.entries(r.tried)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `    ${k.padEnd(24)} ${v}`);
  const lines = [
    `mutate-rules: seed ${r.seed}, ${r.edits} edits in ${(r.durationMs / 1000).toFixed(1)} s (${(r.startupMs / 1000).toFixed(1)} s of it starting the service)`,
    `  edits tried by category (${r.stacked} bad edits stacked two at a time):`,
    ...categories,
    `  triggered by POST /admin/rules/reload ${r.byTrigger.reload}, by the file watcher ${r.byTrigger.watch}`,
    `  requests ${sum(t.requests)} (${byApi(t.requests)})`,
    `  failed requests          ${r.failedRequests} (${byApi(t.failed)})`,
    `  time not ready           ${Math.round(t.notReadyMs)} ms (${t.notReadySamples} of ${t.readyChecks} /readyz checks)`,
    `  broken versions live     ${r.brokenVersionsLive}`,
    `  valid edits not live     ${r.validEditsNotLive}`,
    `  watcher edits missed     ${r.watcherMissed}`,
    `  errors not reported      ${r.errorsNotReported}`,
    `  restores that failed     ${r.restoreFailures}`,
    `  admin errors (5xx)       ${r.adminErrors}`,
    `  service crashed          ${r.serviceCrashed ? 'yes' : 'no'}`,
  ];
  if (t.failures.length > 0) lines.push('  first failed requests:', ...t.failures.map((f) => `    ${f}`));
  if (r.notes.length > 0) lines.push('  notes:', ...r.notes.map((n) => `    ${n}`));
  lines.push(r.ok ? 'PASS' : `FAIL (replay with --seed ${r.seed} --edits ${r.edits})`);
  return lines.join('\n');
}
