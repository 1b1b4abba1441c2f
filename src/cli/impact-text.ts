import { ratePercent } from '../fixtures/recent-decisions.js';
import type {
  ApiImpact,
  ChangeShare,
  ImpactReport,
  NamedOffer,
  OfferFigures,
} from '../fixtures/replay-impact.js';

const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;
const num = (n: number | null): string => (n === null ? '-' : String(n));

/** Groups listed per table: the most changed first; a report is read, not scrolled. */
const SHOWN_GROUPS = 8;

function shares(label: string, groups: Record<string, ChangeShare>): string[] {
  const rows = Object.entries(groups)
    .sort((a, b) => b[1].changed - a[1].changed || b[1].requests - a[1].requests)
    .slice(0, SHOWN_GROUPS)
    .map(([k, s]) => `${k} ${s.changed}/${s.requests} (${pct(s.share)})`);
  return rows.length > 0 ? [`  changed per ${label}: ${rows.join(', ')}`] : [];
}

function beforeAfter(label: string, before: Record<string, number>, after: Record<string, number>): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  if (keys.length === 0) return [];
  const width = Math.max(...keys.map((k) => k.length));
  return [
    `  ${label} (live -> candidate):`,
    ...keys.map((k) => `    ${k.padEnd(width)}  ${before[k] ?? 0} -> ${after[k] ?? 0}`),
  ];
}

function figures(f: { before: OfferFigures; after: OfferFigures }): string[] {
  const { before: b, after: a } = f;
  return [
    `  shown offers (each request's top numoffers, ${b.offersShown} -> ${a.offersShown} shown):`,
    `    average EPC          ${num(b.averageEpc)} -> ${num(a.averageEpc)}`,
    `    average user reward  ${num(b.averageUserReward)} -> ${num(a.averageUserReward)}`,
    `    average payout       ${num(b.averagePayout)} -> ${num(a.averagePayout)}`,
  ];
}

function named(label: string, offers: readonly NamedOffer[] | undefined): string[] {
  if (!offers || offers.length === 0) return [];
  return [`  ${label}: ${offers.map((o) => `${o.name} (#${o.offerId}) in ${o.requests}`).join(', ')}`];
}

/** What changed, per field of the reply, most changed first: `: imageFullUrl 9, variationId 2`. */
function fieldsText(fields: Record<string, number>): string {
  const rows = Object.entries(fields)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${k} ${n}`);
  return rows.length > 0 ? `: ${rows.join(', ')}` : '';
}

/** The share of changes a returning player never sees: their variation is stored. */
function firstAssignments(first: ChangeShare | undefined): string[] {
  if (!first || first.changed === 0) return [];
  return [
    `  of which first assignments: ${first.changed} of ${first.requests} (${pct(first.share)}) — new players like these; players already assigned keep their variation`,
  ];
}

function apiLines(api: string, i: ApiImpact, rate: number | undefined): string[] {
  const mixLabel =
    api === 'banner' ? 'banner/experiment:variation mix' : api === 'offerwall' ? 'top offer mix' : 'mix';
  // Recorded traffic is a sample: "3 of 3" alone reads as every request.
  const what = rate === undefined ? 'requests' : 'sampled decisions';
  return [
    `${api}: ${i.changed} of ${i.requests} ${what} change (${pct(i.share)})${fieldsText(i.changedFields)}`,
    ...firstAssignments(i.firstAssignments),
    ...(i.topOffers ? figures(i.topOffers) : []),
    ...named('offers gained', i.gainedOffers),
    ...named('offers lost', i.lostOffers),
    ...(i.offersCreated
      ? beforeAfter('offers created per type', i.offersCreated.before, i.offersCreated.after)
      : beforeAfter(mixLabel, i.mixBefore, i.mixAfter)),
    ...shares('segment', i.bySegment),
    ...shares('country', i.byCountry),
  ];
}

/**
 * Why a replay on a fresh install reads nothing: only a sample of what is served is
 * recorded. A newcomer took "0 replayed" for "my change does nothing".
 */
export const NOTHING_RECORDED =
  'no recorded decisions yet: offerd records a sample of the requests it serves (decisionLog.sampleRate, 1 % by default; OFFERD_DECISION_LOG_SAMPLE_RATE=1 records every one), so serve traffic first';

/**
 * An impact report as an account manager reads it: per API, share changed, the fields that
 * changed and the business numbers. `rate`: the decision log's sample rate, for recorded traffic.
 */
export function impactText(report: ImpactReport, what: string, rate?: number): string[] {
  const oversize = report.oversize > 0 ? `, ${report.oversize} of them recorded too large to replay` : '';
  const skipped = report.skipped > 0 ? ` (${report.skipped} could not be decided${oversize})` : '';
  // The rate configured where this runs: the log does not keep the rate each entry was
  // recorded at, and stating it as the recording's misled (account-manager probe: 1 % said
  // of a log recorded at 100 %).
  const sampled =
    rate === undefined
      ? ''
      : `, a sample of served requests (decisionLog.sampleRate is ${ratePercent(rate)} here; the log does not keep the rate it was recorded at)`;
  const lines = [`${report.replayed} ${what} replayed${skipped}${sampled}`];
  if (report.replayed + report.skipped === 0) lines.push(NOTHING_RECORDED);
  for (const [api, impact] of Object.entries(report.byApi)) lines.push(...apiLines(api, impact, rate));
  return lines;
}
