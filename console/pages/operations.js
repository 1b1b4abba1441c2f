import { useState } from 'preact/hooks';
import { api, session } from '../api.js';
import { parseMetrics, total } from '../metrics-text.js';
import { ErrorBox, html, Loading, RefreshBar, Time, useLoad } from '../ui.js';

async function loadOperations() {
  const [ready, metrics, rules] = await Promise.all([
    fetch('/readyz').then(async (r) => ({ status: r.status, body: await r.json() })),
    fetch('/metrics', { headers: { Authorization: `Bearer ${session.token() ?? ''}` } }).then((r) =>
      r.text(),
    ),
    api('GET', '/admin/rules').then((r) => r.body),
  ]);
  const runs = await Promise.all(
    rules.apps.map((a) =>
      api('GET', `/admin/apps/${encodeURIComponent(a.appId)}/journeys/runs`).then(
        (r) => ({ appId: a.appId, runs: r.body.runs }),
        (error) => ({ appId: a.appId, runs: [], error }),
      ),
    ),
  );
  return { ready, samples: parseMetrics(metrics), runs };
}

function Highlights({ samples }) {
  const requests = 'offerd_http_request_duration_seconds_count';
  const rows = [
    ['Requests served', total(samples, requests)],
    ['Client errors (4xx)', total(samples, requests, (l) => l.status?.startsWith('4'))],
    ['Server errors (5xx)', total(samples, requests, (l) => l.status?.startsWith('5'))],
    ['Rule reloads activated', total(samples, 'offerd_rules_reloads_total', (l) => l.result === 'activated')],
    ['Rule reloads refused', total(samples, 'offerd_rules_reloads_total', (l) => l.result === 'failed')],
    ['Journeys generation runs', total(samples, 'offerd_journeys_generation_runs_total')],
    ['Journeys offers created', total(samples, 'offerd_journeys_offers_created_total')],
  ];
  return html`<table class="narrow" tabindex="0">
    <caption>Since this instance started</caption>
    <tbody>${rows.map(([name, value]) => html`<tr><th scope="row">${name}</th><td class="num">${value.toLocaleString()}</td></tr>`)}</tbody>
  </table>`;
}

function Runs({ appId, runs, error, onRan }) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);
  const run = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await api('POST', `/admin/apps/${encodeURIComponent(appId)}/journeys/generate`);
      onRan();
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<section aria-labelledby=${`runs-${appId}`}>
    <h3 id=${`runs-${appId}`}>Journeys job of ${appId}</h3>
    <p><button type="button" onClick=${run} disabled=${busy}>${busy ? 'Running…' : `Run ${appId}'s journeys job now`}</button></p>
    <${ErrorBox} error=${failure ?? error} />
    ${
      runs.length === 0
        ? html`<p class="muted">No run since this instance started.</p>`
        : html`<table tabindex="0">
            <caption>Last runs, newest first</caption>
            <thead><tr><th scope="col">Started</th><th scope="col">Trigger</th><th scope="col">Rules</th><th scope="col" class="num">Users</th><th scope="col" class="num">Offers created</th><th scope="col" class="num">Expired</th><th scope="col" class="num">Duration</th></tr></thead>
            <tbody>${runs.map(
              (r) => html`<tr>
                <td><${Time} iso=${r.startedAt} /></td><td>${r.trigger}</td><td><code>${r.rulesVersion}</code></td>
                <td class="num">${r.totals.usersScanned.toLocaleString()}</td>
                <td class="num">${r.totals.offersCreated.toLocaleString()}</td>
                <td class="num">${r.totals.offersExpired.toLocaleString()}</td>
                <td class="num">${(r.durationMs / 1000).toFixed(1)} s</td>
              </tr>`,
            )}</tbody>
          </table>`
    }
  </section>`;
}

/** Store and rules readiness, the counters worth a glance, and the journeys job's runs. */
export function OperationsPage() {
  const { loading, error, data, reload, loadedAt } = useLoad(loadOperations, []);
  if (loading && !data) return html`<${Loading} what="operations" />`;
  if (error) return html`<${ErrorBox} error=${error} />`;
  const ready = data.ready.status === 200;
  // Ready while one app serves: the apps without valid rules yet are named (`notServing`).
  const degraded = ready && data.ready.body.notServing?.length > 0;
  const text = !ready
    ? `Not ready: ${data.ready.body.reason}`
    : degraded
      ? `Ready, but ${data.ready.body.reason}.`
      : 'Ready: rules and store serve.';
  return html`<section aria-labelledby="readiness">
      <h2 id="readiness">Readiness</h2>
      <p class=${ready && !degraded ? 'ok' : 'error'} role="status">${text}</p>
      <${RefreshBar} loading=${loading} loadedAt=${loadedAt} onRefresh=${reload} />
    </section>
    <section aria-labelledby="metrics">
      <h2 id="metrics">Metrics highlights</h2>
      <${Highlights} samples=${data.samples} />
    </section>
    <section aria-labelledby="jobs">
      <h2 id="jobs">Journeys job</h2>
      ${data.runs.map((r) => html`<${Runs} key=${r.appId} ...${r} onRan=${reload} />`)}
    </section>`;
}
