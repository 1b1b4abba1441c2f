import { Segments, Trace } from '../trace.js';
import { html } from '../ui.js';

const num = (x, d = 4) => (typeof x === 'number' ? Number(x.toFixed(d)).toString() : '—');

/** Each field the API refused with its message, one per line. */
function FieldProblems({ fields }) {
  if (!fields?.length) return null;
  return html`<ul class="problems">${fields.map((f) => html`<li>${f.field ? `${f.field}: ${f.message}` : f.message}</li>`)}</ul>`;
}

const list = (xs) => xs.join(', ');

/** An offerwall rule's selector in words: `offer types 3, 5 and categories survey`; empty: every offer. */
function selectorText(s) {
  const parts = [
    s.offerTypes ? `offer types ${list(s.offerTypes)}` : null,
    s.categories ? `categories ${list(s.categories)}` : null,
    s.offerIds ? `offers ${list(s.offerIds)}` : null,
    s.platforms ? `platforms ${list(s.platforms)}` : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' and ') : 'every offer';
}

/** What a matched offerwall rule does, as the rule file says it (exclude, allowOnly, boost). */
export function effectText(effect) {
  if (!effect) return '';
  const said = [
    effect.exclude ? `excludes ${selectorText(effect.exclude)}` : null,
    effect.allowOnly ? `allows only ${selectorText(effect.allowOnly)}` : null,
    effect.boost
      ? `${effect.boost.by < 0 ? 'demotes' : 'boosts'} ${selectorText(effect.boost)} by ${effect.boost.by > 0 ? '+' : ''}${effect.boost.by}`
      : null,
  ].filter(Boolean);
  return said.length > 0 ? said.join('; ') : 'no effect on the offers';
}

export function BannerExplanation({ e }) {
  const d = e.decision;
  const w = e.why ?? {};
  // A request the banner API refuses (a bad countryIso2, a context key of the wrong type):
  // its answer and each field, as the API would say it; nothing was decided.
  if (w.errors) {
    return html`<section aria-label="Banner decision">
      <p role="alert">${`The banner API answers this request ${d?.status ?? 400}: nothing was decided, because of ${w.errors.length === 1 ? 'this field' : `these ${w.errors.length} fields`}:`}</p>
      <${FieldProblems} fields=${w.errors} />
    </section>`;
  }
  return html`<section aria-label="Banner decision">
    <h3>Decision</h3>
    <p>Banner <code>${d.bannerId}</code> (${d.reason}), ${
      d.experimentId
        ? html`experiment <code>${d.experimentId}</code> variation ${d.variationId} (${d.assignment})`
        : 'outside every experiment'
    }; image <code>${d.imageFullUrl}</code>.</p>
    ${w.note ? html`<p class="callout" role="note">${`Note: ${w.note}.`}</p>` : null}
    <h3>Segments</h3>
    <${Segments} segments=${w.segments ?? []} />
    <h3>Experiments</h3>
    <table tabindex="0"><caption>Enrollment, in rule order</caption>
      <thead><tr><th scope="col">Experiment</th><th scope="col">Status</th><th scope="col">Stored variation</th><th scope="col">Outcome</th><th scope="col">Eligibility</th></tr></thead>
      <tbody>${(w.experiments ?? []).map(
        (x) => html`<tr><th scope="row"><code>${x.experimentId}</code></th><td>${x.status}</td>
          <td>${x.storedVariation ?? '—'}</td><td>${x.outcome}</td><td>${x.eligibility ? html`<${Trace} node=${x.eligibility} />` : 'everyone'}</td></tr>`,
      )}</tbody></table>
    <h3>Banner rules</h3>
    <table tabindex="0"><caption>First match wins; why each other rule lost</caption>
      <thead><tr><th scope="col">Rule</th><th scope="col" class="num">Priority</th><th scope="col">Verdict</th><th scope="col">Why</th></tr></thead>
      <tbody>${(w.banners ?? []).map(
        (
          b,
        ) => html`<tr><th scope="row"><code>${b.id}</code></th><td class="num">${b.priority}</td><td>${b.verdict}</td>
          <td>${(b.whyNot ?? []).map((n) => html`<div><${Trace} node=${n} /></div>`)}</td></tr>`,
      )}</tbody></table>
  </section>`;
}

/** A ban in words: `user ban 'p-30' (reason 'x', since …, on wall 1001)`. */
function banText(ban) {
  const where = ban.wallId === null || ban.wallId === undefined ? 'every wall' : `wall ${ban.wallId}`;
  return `${ban.type === 'ip' ? 'IP' : 'user'} ban '${ban.value}' (reason '${ban.reason}', since ${ban.createdAt}, on ${where})`;
}

export function OfferwallExplanation({ e }) {
  const d = e.decision ?? {};
  const w = e.why ?? {};
  // Each answer below is said as one text (as several text nodes, Preact failed to re-render it
  // on the next change). A banned player gets no offers: the ban, and the answer.
  if (w.ban) {
    return html`<section aria-label="Offerwall decision"><p role="alert">${`Banned: ${banText(w.ban)}: the offerwall answers ${d.status ?? 403} ${d.error ?? ''}; nothing was ranked.`}</p></section>`;
  }
  // The request the offerwall itself would refuse (a missing numoffers, a bad ip): its answer.
  if (w.error) {
    const error = typeof w.error === 'object' ? w.error : { code: String(w.error) };
    return html`<section aria-label="Offerwall decision">
      <p role="alert">${`The offerwall answers this request ${d.status ?? ''} ${error.code ?? ''}: ${error.message ?? 'refused'}; nothing was ranked.`}</p>
      <${FieldProblems} fields=${error.fields} />
    </section>`;
  }
  const names = Object.entries(d.dropped ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return html`<section aria-label="Offerwall decision">
    <h3>Decision</h3>
    <p>${d.limit} of ${d.total} eligible offers shown to a user in <code>${d.country ?? 'unknown country'}</code>; dropped: ${names || 'none'}.</p>
    <h3>Segments</h3>
    <${Segments} segments=${w.segments ?? []} />
    <h3>Rules</h3>
    <ul>${(w.rules ?? []).map(
      (
        r,
      ) => html`<li><details><summary>${r.matched ? '✓' : '✗'} <code>${r.id}</code> ${r.matched ? html`<small>${effectText(r.effect)}</small>` : null}</summary>
        <${Trace} node=${r.trace} /></details></li>`,
    )}</ul>
    <h3>Ranking</h3>
    <table tabindex="0"><caption>Score of each shown offer: weighted features, then rule boosts</caption>
      <thead><tr><th scope="col" class="num">Rank</th><th scope="col">Offer</th><th scope="col">Category</th>
        <th scope="col" class="num">EPC</th><th scope="col" class="num">Conversion</th><th scope="col" class="num">Reward</th><th scope="col" class="num">Payout</th><th scope="col" class="num">Freshness</th><th scope="col" class="num">Affinity</th>
        <th scope="col" class="num">Metric</th><th scope="col" class="num">Boost</th><th scope="col" class="num">Score</th></tr></thead>
      <tbody>${(w.ranked ?? []).map(
        (r) => html`<tr><td class="num">${r.rank}</td><th scope="row">${r.offerId}</th><td>${r.category}</td>
          ${['epc', 'conversionRate', 'userReward', 'payout', 'freshness', 'affinity'].map((f) => html`<td class="num">${num(r.features?.[f])}</td>`)}
          <td class="num">${num(r.metric)}</td><td class="num" title=${(r.boosts ?? []).map((b) => `${b.ruleId} +${b.by}`).join(', ')}>${num(r.boost)}</td><td class="num">${num(r.score)}</td></tr>`,
      )}</tbody></table>
    <details><summary>Every offer of the wall and why (${(w.offers ?? []).length})</summary>
      <table tabindex="0"><caption>Offers not shown, with the reason</caption>
        <thead><tr><th scope="col">Offer</th><th scope="col">Reason</th></tr></thead>
        <tbody>${(w.offers ?? []).map((o) => html`<tr><th scope="row">${o.offerId}</th><td>${o.reason}</td></tr>`)}</tbody></table>
    </details>
  </section>`;
}

export function JourneysExplanation({ e }) {
  const d = e.decision ?? {};
  const w = e.why ?? {};
  return html`<section aria-label="Journeys decision">
    <h3>Profile</h3>
    <p>Stage <strong>${d.lifecycleStage}</strong>, tier <strong>${d.engagementTier}</strong>, engagement score <strong>${d.engagementScore}</strong>, churn risk <strong>${d.churnRisk}</strong>; offers that would be created now: ${(d.offers ?? []).join(', ') || 'none'} (an explanation creates nothing).</p>
    <table class="narrow" tabindex="0"><caption>Engagement score</caption>
      <thead><tr><th scope="col">Component</th><th scope="col" class="num">Value</th><th scope="col" class="num">Normalized</th><th scope="col" class="num">Points</th></tr></thead>
      <tbody>${(w.score ?? []).map((s) => html`<tr><th scope="row">${s.component}</th><td class="num">${num(s.value, 2)}</td><td class="num">${num(s.normalized, 2)}</td><td class="num">${num(s.points, 2)}</td></tr>`)}</tbody></table>
    <h3>Lifecycle stage</h3>
    <ul>${(w.lifecycle?.rules ?? []).map((r) => html`<li><details><summary>${r.matched ? '✓' : '✗'} ${r.stage}</summary><${Trace} node=${r.conditions} /></details></li>`)}</ul>
    <h3>Tier</h3>
    <ul>${(w.tier?.bands ?? []).map((b) => html`<li><details><summary>${b.matched ? '✓' : '✗'} ${b.tier}</summary><${Trace} node=${b.conditions} /></details></li>`)}</ul>
    <h3>Churn risk</h3>
    <ul>${(w.churnRisk?.factors ?? []).map((f) => html`<li><details><summary>${f.matched ? '✓' : '✗'} ${f.factor} (+${f.weight})</summary><${Trace} node=${f.conditions} /></details></li>`)}</ul>
    <h3>Offer types</h3>
    <table tabindex="0"><caption>Each trigger's verdict and the limit that blocked it (limits: ${JSON.stringify(w.limits)})</caption>
      <thead><tr><th scope="col">Offer type</th><th scope="col">Verdict</th><th scope="col">Blocked by</th><th scope="col">Trigger</th></tr></thead>
      <tbody>${(w.offers ?? []).map(
        (o) =>
          html`<tr><th scope="row"><code>${o.offerType}</code></th><td>${o.verdict}</td><td>${o.blockedBy ?? '—'}</td><td><${Trace} node=${o.conditions} /></td></tr>`,
      )}</tbody></table>
  </section>`;
}
