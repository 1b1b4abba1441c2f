import { html } from './ui.js';

const show = (v) => (v === undefined ? '—' : JSON.stringify(v));
const mark = (result) =>
  result === true
    ? html`<span class="ok" aria-label="true">✓</span>`
    : result === false
      ? html`<span class="error" aria-label="false">✗</span>`
      : html`<span class="muted" aria-label="not evaluated">·</span>`;

/**
 * A json-rules-engine condition as evaluated: each leaf as "fact (its value) operator
 * value", each group as all/any/not, each with its result. Conditions skipped by
 * short-circuit have no result and say so.
 */
export function Trace({ node }) {
  if (!node || typeof node !== 'object') return null;
  for (const group of ['all', 'any']) {
    if (Array.isArray(node[group])) {
      return html`<div class="trace">${mark(node.result)} <strong>${group}</strong> of
        <ul>${node[group].map((c) => html`<li><${Trace} node=${c} /></li>`)}</ul></div>`;
    }
  }
  if (node.not)
    return html`<div class="trace">${mark(node.result)} <strong>not</strong> <${Trace} node=${node.not} /></div>`;
  if (node.segment) {
    return html`<div class="trace">${mark(node.result)} in segment <code>${node.segment}</code>
      ${node.conditions ? html`<${Trace} node=${node.conditions} />` : null}</div>`;
  }
  return html`<span class="trace">${mark(node.result)} <code>${node.fact}</code>
    <span class="muted">(${show(node.factValue)})</span> ${node.operator} <code>${show(node.value)}</code></span>`;
}

/** Segments with the values their conditions saw. */
export function Segments({ segments }) {
  if (!segments?.length) return html`<p class="muted">No segment in these rules.</p>`;
  return html`<ul class="segments">${segments.map(
    (s) => html`<li><details><summary>${mark(s.matched)} <code>${s.id ?? s.segment}</code></summary>
      <${Trace} node=${s.trace ?? s.conditions} /></details></li>`,
  )}</ul>`;
}
