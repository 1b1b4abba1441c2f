import { useCallback, useState } from 'preact/hooks';
import { api } from '../api.js';
import { AppPicker, useApps } from '../apps-picker.js';
import { CumulativeLines, IntervalChart } from '../charts.js';
import { ErrorBox, html, Loading, percent, RefreshBar, Time, useLoad } from '../ui.js';
import { useParam } from '../use-param.js';
import { useRulesChange } from '../use-rules-change.js';

const enc = encodeURIComponent;
const pValue = (p) => (typeof p === 'number' ? (p < 0.0001 ? p.toExponential(1) : p.toFixed(4)) : '—');
const signedPercent = (x) => (typeof x === 'number' ? `${x > 0 ? '+' : ''}${(x * 100).toFixed(2)} %` : '—');
/** A difference of two rates, in percentage points: 14 % against 10 % is +4.00 pp, not "+4.00 %" (an uplift of 40 %). */
const signedPoints = (x) => (typeof x === 'number' ? `${x > 0 ? '+' : ''}${(x * 100).toFixed(2)} pp` : '—');
const range = (i, f) => (i ? `${f(i.low)} to ${f(i.high)}` : '—');
const VERDICT_TONE = { winning: 'good', losing: 'bad', inconclusive: '' };
/** A variation's name, marked as the control unless its name already says so ("control (control)"). */
const controlName = (v) => (v.control && v.name.toLowerCase() !== 'control' ? `${v.name} (control)` : v.name);
/**
 * `trafficAllocation`, a percent in the rules (0–100), as written, up to 2 decimals: rounded to
 * whole percents, 0.4 read "0 %" (an experiment that seemed off) and 12.5 read "13 %".
 */
const traffic = (x) => (typeof x === 'number' ? `${Number(x.toFixed(2))} %` : '—');
const money = (x) => (typeof x === 'number' ? x.toFixed(2) : '—');
const signedMoney = (x) => (typeof x === 'number' ? `${x > 0 ? '+' : ''}${x.toFixed(2)}` : '—');

/**
 * The small-sample flag next to a figure: too few users for the normal approximation, so
 * the results carry no p-value or interval there (docs/experiments.md, "Small samples").
 */
function TooFew({ of }) {
  if (!of?.smallSample) return null;
  return html` <span class="badge warn" title=${of.smallSampleReason}>too few users</span>`;
}

/** The list, with the page's Refresh button: `round` (bumped by it) reloads the list and the results. */
function ExperimentList({ appId, selected, onSelect, round, onRefresh }) {
  const { loading, error, data, loadedAt } = useLoad(
    () => api('GET', `/admin/apps/${enc(appId)}/experiments`).then((r) => r.body),
    [appId, round],
  );
  const bar = html`<${RefreshBar} loading=${loading} loadedAt=${loadedAt} onRefresh=${onRefresh} />`;
  if (loading && !data) return html`<${Loading} what="experiments" />`;
  if (error) return html`${bar}<${ErrorBox} error=${error} />`;
  if (data.experiments.length === 0)
    return html`${bar}<p class="muted">${appId}'s rules declare no experiment.</p>`;
  return html`${bar}<table tabindex="0">
    <caption>Experiments of ${appId} (rules ${data.rulesVersion})</caption>
    <thead><tr><th scope="col">Experiment</th><th scope="col">Status</th><th scope="col" class="num">Traffic</th><th scope="col" class="num">Users</th><th scope="col">Primary metric</th><th scope="col">Started</th></tr></thead>
    <tbody>${data.experiments.map(
      (e) => html`<tr aria-selected=${e.experimentId === selected ? 'true' : undefined}>
        <th scope="row"><a href=${`#/experiments?app=${enc(appId)}&experiment=${enc(e.experimentId)}`} onClick=${() => onSelect(e.experimentId)}>${e.experimentId}</a>
          ${e.description ? html`<br /><small>${e.description}</small>` : null}</th>
        <td>${e.status}</td>
        <td class="num">${traffic(e.trafficAllocation)}</td>
        <td class="num">${e.users.toLocaleString()}</td>
        <td>${e.primaryMetric ?? html`<span class="muted">none declared</span>`}</td>
        <td><${Time} iso=${e.startedAt} /></td>
      </tr>`,
    )}</tbody>
  </table>`;
}

function SampleRatio({ srm, reason }) {
  if (!srm) return reason ? html`<p class="muted">Split not checked: ${reason}.</p>` : null;
  const counts = srm.counts
    .map((c) => `variation ${c.variationId}: ${c.users} (expected ${c.expected})`)
    .join('; ');
  if (srm.smallSample)
    return html`<p class="muted">Split not checked yet: ${srm.smallSampleReason}. ${counts}</p>`;
  return srm.mismatch
    ? html`<section class="callout error-box" role="alert" aria-label="Sample ratio mismatch">
        <h4>Sample ratio mismatch (χ² = ${srm.statistic}, p = ${pValue(srm.pValue)})</h4>
        <p>Users were not assigned in the declared proportions, so no verdict of this experiment holds. ${counts}</p>
      </section>`
    : html`<p class="ok">Split as declared (sample-ratio χ² p = ${pValue(srm.pValue)}). ${counts}</p>`;
}

/**
 * Whether the verdicts judge this metric's conversion rate: the primary metric's, unless the
 * verdicts judge its revenue per user (shown with the revenue table). A secondary metric has none:
 * the primary metric's badge on it read as a verdict of that metric (a "winning" one at 0 conversions).
 */
const judgesRate = (results, metric) =>
  metric === results.primaryMetric && results.verdictOn !== 'revenuePerUser';

/** A treated arm's verdict with its reason, or "—". */
function Verdict({ v }) {
  return html`${v.verdict ? html`<span class=${`badge ${VERDICT_TONE[v.verdict]}`}>${v.verdict}</span>` : '—'}${
    v.verdictReason ? html`<br /><small>${v.verdictReason}</small>` : null
  }`;
}

/** Where a metric's table has no verdict, why, in its Verdict cell. */
function noVerdict(results, metric) {
  if (metric !== results.primaryMetric) return 'none: a secondary metric';
  return results.verdictOn === 'revenuePerUser' ? 'on revenue per user (below)' : null;
}

function VariationTable({ results, metric }) {
  const judged = judgesRate(results, metric);
  const why = judged ? null : noVerdict(results, metric);
  return html`<table tabindex="0">
    <caption>${metric}: rate per variation with 95 % Wilson interval, and against control${
      metric === results.primaryMetric ? '' : ' (a secondary metric: no verdict)'
    }</caption>
    <thead><tr>
      <th scope="col">Variation</th><th scope="col" class="num">Users</th><th scope="col" class="num">Exposures</th>
      <th scope="col" class="num">Conversions</th><th scope="col" class="num">Rate</th><th scope="col">95 % interval</th>
      <th scope="col" class="num">Uplift</th><th scope="col">Uplift interval</th><th scope="col" class="num">p (Holm)</th>
      <th scope="col" class="num">Always-valid p</th><th scope="col">Verdict</th>
    </tr></thead>
    <tbody>${results.variations.map((v) => {
      const m = v.metrics[metric];
      const vs = m?.versusControl;
      return html`<tr>
        <th scope="row">${controlName(v)}</th>
        <td class="num">${v.users.toLocaleString()}</td>
        <td class="num">${v.exposures.toLocaleString()}</td>
        <td class="num">${m ? m.conversions.toLocaleString() : '—'}</td>
        <td class="num">${percent(m?.rate)}<${TooFew} of=${m} /></td>
        <td>${range(m?.interval, (x) => percent(x))}</td>
        <td class="num">${signedPercent(vs?.uplift)}</td>
        <td>${range(vs?.upliftInterval, signedPercent)}<${TooFew} of=${vs} /></td>
        <td class="num">${pValue(vs?.pValueHolm)}</td>
        <td class="num">${pValue(vs?.sequentialPValue)}</td>
        <td>${judged ? html`<${Verdict} v=${v} />` : html`—${why && !v.control ? html` <small>${why}</small>` : null}`}${
          vs?.smallSample && metric !== results.primaryMetric
            ? html`<br /><small>${vs.smallSampleReason}</small>`
            : null
        }</td>
      </tr>`;
    })}</tbody>
  </table>`;
}

function ArmVersusArm({ results }) {
  if (!results.armVersusArm?.length) return null;
  const name = (id) => results.variations.find((v) => v.variationId === id)?.name ?? `variation ${id}`;
  return html`<table class="narrow" tabindex="0">
    <caption>Every pair of arms (${results.primaryMetric ?? results.secondaryMetrics[0] ?? 'first metric'})</caption>
    <thead><tr><th scope="col">Pair</th><th scope="col" class="num">Difference <abbr title="percentage points">(pp)</abbr></th><th scope="col" class="num">p (Holm)</th></tr></thead>
    <tbody>${results.armVersusArm.map(
      (p) =>
        html`<tr><th scope="row">${name(p.b)} vs ${name(p.a)}</th><td class="num">${signedPoints(p.difference)}</td><td class="num">${pValue(p.pValueHolm)}<${TooFew} of=${p} /></td></tr>`,
    )}</tbody>
  </table>`;
}

/** Revenue per user per variation, with its interval, and against control; flagged under 30 users an arm. */
function RevenueTable({ results }) {
  const withRevenue = results.variations.filter((v) => v.revenue);
  if (withRevenue.length === 0) return null;
  // The verdicts judge revenue per user when the primary metric declares a value: shown here.
  const judged = results.verdictOn === 'revenuePerUser';
  return html`<table tabindex="0">
    <caption>Revenue per user (${withRevenue[0].revenue.value}) with 95 % interval, and against control</caption>
    <thead><tr>
      <th scope="col">Variation</th><th scope="col" class="num">Users</th><th scope="col" class="num">Per user</th>
      <th scope="col">95 % interval</th><th scope="col" class="num">Difference</th><th scope="col">Difference interval</th>
      <th scope="col" class="num">Uplift</th><th scope="col">Uplift interval</th>${judged ? html`<th scope="col">Verdict</th>` : null}
    </tr></thead>
    <tbody>${withRevenue.map((v) => {
      const r = v.revenue;
      const vs = r.versusControl;
      return html`<tr>
        <th scope="row">${controlName(v)}</th>
        <td class="num">${v.users.toLocaleString()}</td>
        <td class="num">${money(r.perUser)}</td>
        <td>${range(r.interval, money)}<${TooFew} of=${r} /></td>
        <td class="num">${signedMoney(vs?.difference)}</td>
        <td>${range(vs?.differenceInterval, signedMoney)}<${TooFew} of=${vs} /></td>
        <td class="num">${signedPercent(vs?.uplift)}</td>
        <td>${range(vs?.upliftInterval, signedPercent)}</td>${judged ? html`<td><${Verdict} v=${v} /></td>` : null}
      </tr>`;
    })}</tbody>
  </table>`;
}

/** The weights changed while the experiment ran: which splits, how many users under each. */
function SplitChange({ splits }) {
  if (!splits || splits.length <= 1) return null;
  return html`<section class="callout" role="note" aria-label="Weights changed">
    <h4>The weights changed while the experiment ran</h4>
    <p>${splits.map((s) => `${s.users.toLocaleString()} users under ${s.weights}`).join('; ')}. The arms mix the periods in different proportions, so the arms are not compared (no uplift, p-value or verdict) and only each arm's own figures are shown; bump the bucket version to compare the new split on its own.</p>
  </section>`;
}

/** Players assigned after this bucket version ended: left out of every figure (the note says why). */
function AfterEnd({ afterEnd }) {
  if (!afterEnd) return null;
  return html`<section class="callout" role="note" aria-label="Assigned after the end">
    <h4>${afterEnd.users.toLocaleString()} players were assigned after this version ended</h4>
    <p>${afterEnd.note}.</p>
  </section>`;
}

/**
 * `hashVersion` names how a key is hashed into buckets (docs/experiments.md, Bucketing); the
 * bucket version is `bucketVersion`, which a bump changes to re-randomize everyone.
 */
const HASH_CONSTRUCTION = {
  1: 'murmur3 (hashVersion 1)',
  2: 'SHA-256 (hashVersion 2)',
};

const VERDICT_ON = {
  revenuePerUser: 'revenue per user of the primary metric (its declared value)',
  conversionRate: 'the conversion rate of the primary metric',
};

/** Cumulative enrolled users per variation per day, from the results' timeline (UTC days). */
function EnrollmentOverTime({ results }) {
  const { timeline } = results;
  if (!timeline || timeline.days.length === 0)
    return html`<p class="muted">Nobody enrolled yet: no enrollment over time to draw.</p>`;
  const name = (id) => results.variations.find((v) => v.variationId === id)?.name ?? `variation ${id}`;
  const series = timeline.variations.map((v) => {
    let total = v.enrolledBefore;
    return { label: name(v.variationId), values: v.enrolled.map((n) => (total += n)), added: v.enrolled };
  });
  return html`<${CumulativeLines}
    title="Enrolled users over time, cumulative per variation"
    describe="Enrolled users per variation at the end of each UTC day (new that day in brackets). Exposures are not kept per day."
    days=${timeline.days}
    series=${series}
  />`;
}

/**
 * The uplift chart, or a line saying why there is none: with every comparison withheld (a
 * split changed mid-run) it drew empty axes whose labels looked like data (account manager probe).
 */
function UpliftChart({ title, rows }) {
  if (rows.every((r) => r.value === undefined || r.value === null)) {
    return html`<p class="muted">No uplift to chart: no comparison against control is shown (the table says why).</p>`;
  }
  return html`<${IntervalChart} title=${title} format=${signedPercent} reference=${0} rows=${rows} />`;
}

function Results({ appId, experimentId, round }) {
  const { loading, error, data } = useLoad(
    () => api('GET', `/admin/apps/${enc(appId)}/experiments/${enc(experimentId)}`).then((r) => r.body),
    [appId, experimentId, round],
  );
  const [metric, setMetric] = useState(null);
  if (loading && !data) return html`<${Loading} what="results" />`;
  if (error) return html`<${ErrorBox} error=${error} />`;
  const metrics = [data.primaryMetric, ...data.secondaryMetrics].filter(Boolean);
  const shown = metric ?? metrics[0];
  const rows = (f) => data.variations.map((v) => ({ label: v.name, ...f(v) }));
  return html`<section aria-labelledby="results-title">
    <h2 id="results-title">${experimentId}</h2>
    ${data.endedAt ? html`<p class="callout" role="note">Bucket version ${data.bucketVersion} ended <${Time} iso=${data.endedAt} />: these results are final (nothing users do later is credited to it).</p>` : null}
    <p>${data.status}, ${traffic(data.trafficAllocation)} of traffic, ${data.users.toLocaleString()} users since <${Time} iso=${data.startedAt} />;
      bucket version ${data.bucketVersion}; hash construction ${HASH_CONSTRUCTION[data.hashVersion] ?? `hashVersion ${data.hashVersion}`}. Verdicts judge ${VERDICT_ON[data.verdictOn] ?? 'the primary metric'} with the always-valid (mSPRT) test, so reading this page daily does not inflate false positives.</p>
    <${SampleRatio} srm=${data.sampleRatio} reason=${data.sampleRatioReason} />
    <${SplitChange} splits=${data.splits} />
    <${AfterEnd} afterEnd=${data.enrolledAfterEnd} />
    ${
      metrics.length > 1
        ? html`<p><label for="metric">Metric </label><select id="metric" value=${shown} onChange=${(e) => setMetric(e.currentTarget.value)}>
            ${metrics.map((m) => html`<option value=${m}>${m}${m === data.primaryMetric ? ' (primary)' : ''}</option>`)}
          </select></p>`
        : null
    }
    ${
      shown
        ? html`<${VariationTable} results=${data} metric=${shown} />
          <${IntervalChart} title=${`${shown}: conversion rate with 95 % interval`} format=${(x) => percent(x, 1)}
            rows=${rows((v) => ({ value: v.metrics[shown]?.rate, low: v.metrics[shown]?.interval?.low, high: v.metrics[shown]?.interval?.high }))} />
          <${UpliftChart} title=${`${shown}: uplift against control with 95 % interval`}
            rows=${rows((v) => ({
              value: v.metrics[shown]?.versusControl?.uplift,
              low: v.metrics[shown]?.versusControl?.upliftInterval?.low,
              high: v.metrics[shown]?.versusControl?.upliftInterval?.high,
              // Coloured by the verdict only where the verdict judges this rate.
              tone: judgesRate(data, shown) ? VERDICT_TONE[v.verdict ?? 'inconclusive'] : '',
            }))} />`
        : html`<p class="muted">No metric yet: no tracked event after an assignment.</p>`
    }
    <${RevenueTable} results=${data} />
    <${ArmVersusArm} results=${data} />
    <${EnrollmentOverTime} results=${data} />
  </section>`;
}

/** The experiments of an app and, for one, its results read as an analyst would. */
export function ExperimentsPage({ params }) {
  const apps = useApps();
  const [appId, setAppId] = useParam(params, 'app');
  const [experimentId, setExperimentId] = useParam(params, 'experiment');
  // Refresh, or a rules change going live (traffic, version and users follow the rules).
  const [round, setRound] = useState(0);
  const refresh = useCallback(() => setRound((r) => r + 1), []);
  useRulesChange(refresh);
  if (apps.error) return html`<${ErrorBox} error=${apps.error} />`;
  // A link naming its app (#/experiments?app=demo) still waits for the list the picker shows.
  const app = apps.data ? (appId ?? apps.data[0]) : undefined;
  if (!app) return html`<${Loading} what="apps" />`;
  return html`<${AppPicker} apps=${apps.data} value=${app} onChange=${(id) => {
    setAppId(id);
    setExperimentId(null);
  }} />
    <${ExperimentList} appId=${app} selected=${experimentId} onSelect=${setExperimentId} round=${round} onRefresh=${refresh} />
    ${experimentId ? html`<${Results} key=${`${app}/${experimentId}`} appId=${app} experimentId=${experimentId} round=${round} />` : null}`;
}
