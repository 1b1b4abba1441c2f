import { html } from './ui.js';

/**
 * Point estimates with their intervals on one horizontal axis (a forest plot): each row
 * a label, a dot at the value and a bar from low to high. An optional reference line
 * (0 for uplift) shows which intervals cross it. SVG with a title and a text table
 * beside it, so the numbers never depend on seeing the picture.
 */
export function IntervalChart({ title, rows, format, reference }) {
  const values = rows.flatMap((r) => [r.low, r.high, r.value]).filter((v) => Number.isFinite(v));
  if (reference !== undefined) values.push(reference);
  if (values.length === 0) return null;
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (min === max) {
    min -= 0.01;
    max += 0.01;
  }
  const pad = (max - min) * 0.08;
  min -= pad;
  max += pad;
  const width = 560;
  const label = 150;
  const rowHeight = 28;
  const height = rows.length * rowHeight + 28;
  const x = (v) => label + ((v - min) / (max - min)) * (width - label - 16);
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${title} preserveAspectRatio="xMinYMin meet">
      <title>${title}</title>
      ${
        reference !== undefined
          ? html`<line x1=${x(reference)} x2=${x(reference)} y1="4" y2=${height - 22} class="reference" />`
          : null
      }
      ${rows.map((r, i) => {
        const y = i * rowHeight + 18;
        const ok = Number.isFinite(r.low) && Number.isFinite(r.high);
        return html`<g>
          <text x="0" y=${y + 4}>${r.label}</text>
          ${ok ? html`<line x1=${x(r.low)} x2=${x(r.high)} y1=${y} y2=${y} class=${`interval ${r.tone ?? ''}`} />` : null}
          ${Number.isFinite(r.value) ? html`<circle cx=${x(r.value)} cy=${y} r="5" class=${`point ${r.tone ?? ''}`} />` : null}
        </g>`;
      })}
      <text x=${label} y=${height - 4}>${format(min)}</text>
      <text x=${width - 16} y=${height - 4} text-anchor="end">${format(max)}</text>
    </svg>
    <figcaption>${title}</figcaption>
  </figure>`;
}

/** Line styles cycle by series; each also has its own dash, so lines differ without colour. */
const SERIES_STYLES = 4;

/**
 * Running totals per day, one line per series (enrolled users per variation over time).
 * `series[i].values[d]` is the total on `days[d]`. The SVG has a title, a legend and a
 * title per point; the numbers are in a table under <details>, so nothing rests on the picture.
 */
export function CumulativeLines({ title, days, series, describe }) {
  if (!days || days.length === 0 || series.length === 0) return null;
  const width = 560;
  const left = 48;
  const top = 12;
  const plot = 140;
  const legendTop = top + plot + 34;
  const height = legendTop + series.length * 18;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const step = days.length > 1 ? (width - left - 12) / (days.length - 1) : 0;
  const x = (d) => left + (days.length > 1 ? d * step : (width - left - 12) / 2);
  const y = (v) => top + plot - (v / max) * plot;
  const dots = days.length <= 31;
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${title} preserveAspectRatio="xMinYMin meet">
      <title>${title}</title>
      <line x1=${left} x2=${width - 12} y1=${top + plot} y2=${top + plot} class="axis" />
      <text x=${left - 6} y=${top + 4} text-anchor="end">${max.toLocaleString()}</text>
      <text x=${left - 6} y=${top + plot + 4} text-anchor="end">0</text>
      ${series.map(
        (s, i) => html`<g class=${`series series-${i % SERIES_STYLES}`}>
          <polyline points=${s.values.map((v, d) => `${x(d)},${y(v)}`).join(' ')} />
          ${
            dots
              ? s.values.map(
                  (v, d) =>
                    html`<circle cx=${x(d)} cy=${y(v)} r="3"><title>${s.label}, ${days[d]}: ${v.toLocaleString()}</title></circle>`,
                )
              : null
          }
          <line x1=${left} x2=${left + 24} y1=${legendTop + i * 18 - 4} y2=${legendTop + i * 18 - 4} />
          <text x=${left + 30} y=${legendTop + i * 18}>${s.label}</text>
        </g>`,
      )}
      <text x=${left} y=${top + plot + 18}>${days[0]}</text>
      <text x=${width - 12} y=${top + plot + 18} text-anchor="end">${days.at(-1)}</text>
    </svg>
    <figcaption>${title}</figcaption>
    <details>
      <summary>${title}: the numbers</summary>
      <table tabindex="0">
          <caption>${describe}</caption>
          <thead><tr><th scope="col">Day (UTC)</th>${series.map((s) => html`<th scope="col" class="num">${s.label}</th>`)}</tr></thead>
          <tbody>${days.map(
            (day, d) =>
              html`<tr><th scope="row">${day}</th>${series.map(
                (s) =>
                  html`<td class="num">${s.values[d].toLocaleString()}${s.added ? html` <small>(+${s.added[d].toLocaleString()})</small>` : null}</td>`,
              )}</tr>`,
          )}</tbody>
      </table>
    </details>
  </figure>`;
}
