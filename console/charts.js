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

/** Counts per day as bars: exposures over time. */
export function DailyBars({ title, days }) {
  if (!days || days.length === 0) return null;
  const width = 560;
  const height = 120;
  const max = Math.max(...days.map((d) => d.count), 1);
  const bar = (width - 8) / days.length;
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${width} ${height + 20}`} role="img" aria-label=${title}>
      <title>${title}</title>
      ${days.map((d, i) => {
        const h = (d.count / max) * height;
        return html`<rect x=${4 + i * bar} y=${height - h} width=${Math.max(bar - 2, 1)} height=${h} class="bar"><title>${d.day}: ${d.count}</title></rect>`;
      })}
      <text x="4" y=${height + 16}>${days[0].day}</text>
      <text x=${width - 4} y=${height + 16} text-anchor="end">${days.at(-1).day}</text>
    </svg>
    <figcaption>${title}</figcaption>
  </figure>`;
}
