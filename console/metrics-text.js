/**
 * The few Prometheus samples the operations page shows, read from /metrics' text format:
 * `name{label="v",…} value`. Label values are unescaped as the format defines.
 */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function labels(text) {
  const out = {};
  for (const m of (text ?? '').matchAll(LABEL))
    out[m[1]] = m[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
  return out;
}

export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m) samples.push({ name: m[1], labels: labels(m[2]), value: Number(m[3]) });
  }
  return samples;
}

/** Sum of a metric's samples whose labels pass `where`. */
export function total(samples, name, where = () => true) {
  return samples.filter((s) => s.name === name && where(s.labels)).reduce((a, s) => a + s.value, 0);
}
