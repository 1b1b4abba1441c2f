import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { AppPicker, useApps } from '../apps-picker.js';
import { ErrorBox, Field, html, Loading, percent, short } from '../ui.js';
import { useParam } from '../use-param.js';
import { useSubmit } from '../use-submit.js';

const KNOWN = new Set([
  'requests',
  'changed',
  'share',
  'bySegment',
  'byCountry',
  'mixBefore',
  'mixAfter',
  'gained',
  'lost',
  'topOffers',
  'gainedOffers',
  'lostOffers',
  'offersCreated',
  'changedFields',
]);

const FIGURES = [
  ['averageEpc', 'Average EPC'],
  ['averageUserReward', 'Average user reward'],
  ['averagePayout', 'Average payout'],
  ['offersShown', 'Offers shown'],
];

/** The offerwall's business numbers: averages over the offers shown, live rules against the candidate. */
function OfferFigures({ figures }) {
  if (!figures) return null;
  const show = (v) => (v === null || v === undefined ? '–' : String(v));
  return html`<table class="narrow" tabindex="0"><caption>Offers shown (each request's top numoffers)</caption>
    <thead><tr><th scope="col">Figure</th><th scope="col" class="num">Live rules</th><th scope="col" class="num">Candidate</th></tr></thead>
    <tbody>${FIGURES.map(([k, label]) => html`<tr><th scope="row">${label}</th><td class="num">${show(figures.before[k])}</td><td class="num">${show(figures.after[k])}</td></tr>`)}</tbody>
  </table>`;
}

function ShareTable({ caption, rows }) {
  const entries = Object.entries(rows ?? {});
  if (entries.length === 0) return null;
  return html`<table class="narrow" tabindex="0"><caption>${caption}</caption>
    <thead><tr><th scope="col">Group</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Changed</th><th scope="col" class="num">Share</th></tr></thead>
    <tbody>${entries
      .sort((a, b) => b[1].changed - a[1].changed)
      .map(
        ([k, v]) =>
          html`<tr><th scope="row">${k}</th><td class="num">${v.requests}</td><td class="num">${v.changed}</td><td class="num">${percent(v.share, 1)}</td></tr>`,
      )}</tbody>
  </table>`;
}

function MixTable({ before, after, caption = 'Outcome mix before and after' }) {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort();
  if (keys.length === 0) return null;
  return html`<table class="narrow" tabindex="0"><caption>${caption}</caption>
    <thead><tr><th scope="col">Outcome</th><th scope="col" class="num">Live rules</th><th scope="col" class="num">Candidate</th></tr></thead>
    <tbody>${keys.map((k) => html`<tr><th scope="row">${k}</th><td class="num">${before?.[k] ?? 0}</td><td class="num">${after?.[k] ?? 0}</td></tr>`)}</tbody>
  </table>`;
}

/** A share of changed requests in words: `91 of 183 (49.7 %)`. */
const isShare = (v) => typeof v.requests === 'number' && typeof v.changed === 'number';
const shareText = (v) => `${v.changed} of ${v.requests} (${percent(v.share, 1)})`;

/**
 * What a nested figure means, said as the CLI says it (src/cli/impact-text.ts): a share
 * printed as JSON was unreadable on this page.
 */
const MEANING = {
  firstAssignments: [
    'first assignments',
    'new players like these; players already assigned keep their variation',
  ],
};

function nestedText(k, v) {
  if (!isShare(v)) return JSON.stringify(v);
  return MEANING[k] ? `${shareText(v)} — ${MEANING[k][1]}` : shareText(v);
}

/** Figures the report adds for an API (average EPC, reward, payout…), whatever their names. */
function Figures({ impact }) {
  const rows = Object.entries(impact).filter(
    ([k, v]) => !KNOWN.has(k) && v !== null && typeof v !== 'object',
  );
  const nested = Object.entries(impact).filter(([k, v]) => !KNOWN.has(k) && v && typeof v === 'object');
  if (rows.length === 0 && nested.length === 0) return null;
  return html`<table class="narrow" tabindex="0"><caption>Business figures</caption>
    <tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td class="num">${typeof v === 'number' ? Number(v.toFixed(4)) : String(v)}</td></tr>`)}
    ${nested.map(([k, v]) => html`<tr><th scope="row">${MEANING[k]?.[0] ?? k}</th><td>${isShare(v) ? nestedText(k, v) : html`<code>${nestedText(k, v)}</code>`}</td></tr>`)}</tbody>
  </table>`;
}

function ApiImpact({ name, impact }) {
  const moved = (label, map) =>
    Object.keys(map ?? {}).length
      ? html`<p>${label}: ${Object.entries(map).map(([k, v]) => html`<span class="badge">${k} (${v})</span> `)}</p>`
      : null;
  const named = (label, offers) =>
    offers?.length
      ? html`<p>${label}: ${offers.map((o) => html`<span class="badge">${o.name} #${o.offerId} (${o.requests})</span> `)}</p>`
      : null;
  const mixCaption =
    name === 'banner'
      ? 'Banner/experiment:variation mix before and after'
      : name === 'offerwall'
        ? 'Top offer before and after'
        : 'Outcome mix before and after';
  return html`<section aria-labelledby=${`impact-${name}`}>
    <h3 id=${`impact-${name}`}>${name}: ${percent(impact.share, 1)} of ${impact.requests} replayed requests change</h3>
    ${moved('Changed fields', impact.changedFields)}
    <${Figures} impact=${impact} />
    <${OfferFigures} figures=${impact.topOffers} />
    ${
      impact.offersCreated
        ? html`<${MixTable} caption="Offers created per type" before=${impact.offersCreated.before} after=${impact.offersCreated.after} />`
        : html`<${MixTable} caption=${mixCaption} before=${impact.mixBefore} after=${impact.mixAfter} />`
    }
    ${impact.gainedOffers ? named('Offers gained', impact.gainedOffers) : moved('Gained', impact.gained)}
    ${impact.lostOffers ? named('Offers lost', impact.lostOffers) : moved('Lost', impact.lost)}
    <${ShareTable} caption="Changed requests per segment" rows=${impact.bySegment} />
    <${ShareTable} caption="Changed requests per country" rows=${impact.byCountry} />
  </section>`;
}

/** Which decisions were replayed: the route reads only the most recent N of each API. */
function Sample({ sample }) {
  const older = Object.entries(sample.byApi)
    .filter(([, s]) => s.olderLeftOut)
    .map(([name]) => name);
  const rate =
    typeof sample.rate === 'number'
      ? ` Decisions are recorded for ${Number((sample.rate * 100).toPrecision(3))} % of served requests (decisionLog.sampleRate).`
      : '';
  return html`<p class="muted">The most recent ${sample.limitPerApi} recorded decisions of each API${
    older.length ? ` (older ones left out for ${older.join(', ')})` : ': every recorded decision'
  }.${rate}</p>`;
}

/** Which rules were compared: the live snapshot and the candidate, each by version and hash. */
function Compared({ live, candidate }) {
  if (!live || !candidate) return null;
  const from =
    candidate.source === 'pending'
      ? `the app's files on disk in ${candidate.rulesDir}`
      : `the draft folder ${candidate.rulesDir}`;
  return html`<dl class="facts" aria-label="Rules compared">
    <dt>Live rules</dt><dd><code>${live.version}</code> <code title=${live.hash}>${short(live.hash)}</code></dd>
    <dt>Candidate</dt><dd><code>${candidate.version}</code> <code title=${candidate.hash}>${short(candidate.hash)}</code>, from ${from}${
      candidate.hash === live.hash
        ? html` <strong>(the same files as the live rules: nothing can change)</strong>`
        : null
    }</dd>
  </dl>`;
}

/**
 * The fixtures gate a reload applies, on the candidate: failing fixtures mean a reload would
 * refuse it, so the figures below are of a change that would not go live as it is.
 */
function Fixtures({ fixtures }) {
  if (!fixtures)
    return html`<p class="muted">Fixtures not checked: the fixtures gate is off on this server.</p>`;
  if (fixtures.failures.length === 0)
    return html`<p class="ok">The candidate passes the app's fixtures: a reload would not refuse it for them.</p>`;
  const n = fixtures.failures.length;
  return html`<section class="callout error-box" role="alert" aria-label="Fixtures gate">
    <h2>A reload would refuse this candidate: ${n === 1 ? '1 fixture fails' : `${n} fixtures fail`}</h2>
    <p>The fixtures gate refuses rules that fail the app's fixtures, and the live rules keep serving: the figures below describe a change that would not go live as it is.</p>
    <ul class="problems">${fixtures.failures.map((f) => html`<li><code>${f}</code></li>`)}</ul>
  </section>`;
}

/** What a change would do: the recorded decisions re-decided under the pending files or a draft folder. */
export function ImpactPage({ params }) {
  const apps = useApps();
  const [appId, setAppId] = useParam(params, 'app');
  const [source, setSource] = useState('pending');
  // A link naming its app still waits for the list the picker shows.
  const app = apps.data ? (appId ?? apps.data[0]) : undefined;
  const state = useSubmit(async (form) => {
    const dir = String(form.get('rulesDir') ?? '').trim();
    const body = source === 'pending' ? { source: 'pending' } : { rules: dir };
    const res = await api('POST', `/admin/apps/${encodeURIComponent(app)}/impact`, body);
    return res.body;
  });
  if (apps.error) return html`<${ErrorBox} error=${apps.error} />`;
  if (!app) return html`<${Loading} what="apps" />`;
  const r = state.result;
  return html`<${AppPicker} apps=${apps.data} value=${app} onChange=${setAppId} />
    <form class="inline-form" onSubmit=${state.onSubmit} aria-label="Replay recorded traffic">
      <fieldset>
        <legend>Candidate rules</legend>
        <label><input type="radio" name="source" value="pending" checked=${source === 'pending'} onChange=${() => setSource('pending')} /> the app's files on disk (pending)</label>
        <label><input type="radio" name="source" value="dir" checked=${source === 'dir'} onChange=${() => setSource('dir')} /> a draft rules folder on the server</label>
      </fieldset>
      ${source === 'dir' ? html`<${Field} id="rulesDir" label="Draft rules folder"><input id="rulesDir" name="rulesDir" required placeholder="/srv/rules-drafts" /><//>` : null}
      <button type="submit" disabled=${state.busy}>${state.busy ? 'Replaying…' : 'Replay against the live rules'}</button>
    </form>
    <${ErrorBox} error=${state.error} />
    ${
      r && typeof r.replayed !== 'number'
        ? html`<p role="alert">The page cannot draw this answer of the impact API; it follows.</p><pre>${JSON.stringify(r, null, 2)}</pre>`
        : null
    }
    ${
      r && typeof r.replayed === 'number'
        ? html`<section aria-label="Impact">
            <${Fixtures} fixtures=${r.fixtures} />
            <${Compared} live=${r.live} candidate=${r.candidate} />
            <h2>${r.replayed} recorded decisions replayed${r.skipped ? `, ${r.skipped} skipped` : ''}${r.oversize ? ` (${r.oversize} recorded too large to replay)` : ''}</h2>
            ${
              r.replayed + r.skipped === 0
                ? html`<p role="status">${'No recorded decisions yet: offerd records a sample of the requests it serves (decisionLog.sampleRate, 1 % by default; OFFERD_DECISION_LOG_SAMPLE_RATE=1 records every one), so serve traffic first.'}</p>`
                : null
            }
            ${
              r.skipped
                ? html`<p>Skipped: ${Object.entries(r.skippedBecause ?? {})
                    .map(([why, n]) => `${n} × ${why === 'oversize' ? 'recorded too large to replay' : why}`)
                    .join('; ')}</p>`
                : null
            }
            ${r.sample ? html`<${Sample} sample=${r.sample} />` : null}
            ${Object.entries(r.byApi ?? {}).map(([name, impact]) => html`<${ApiImpact} name=${name} impact=${impact} />`)}
          </section>`
        : null
    }`;
}
