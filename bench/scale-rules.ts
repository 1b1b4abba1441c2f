/**
 * The demo rules scaled ×N for the benchmark: every segment, experiment, banner,
 * offerwall rule, journeys offer and recommendation copied N-1 more times under new
 * ids, each copy referring to the copies of the segments its original referred to, so
 * every copy is evaluated per request exactly like the original. The offerwall file
 * also gets a marker rule whose boost identifies its version (the reload check).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';

type Json = Record<string, unknown>;
type Rename = (id: string) => string;

/** Renames every `segment:` reference inside a condition tree. */
function renameRefs(node: unknown, rename: Rename): unknown {
  if (Array.isArray(node)) return node.map((n) => renameRefs(n, rename));
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === 'segment' && typeof v === 'string' ? rename(v) : renameRefs(v, rename);
  }
  return out;
}

const header = (kind: string, description: string, spec: Json) => ({
  apiVersion: 'offerd/v1',
  kind,
  version: 1,
  metadata: { description },
  spec,
});

function copySegments(files: Json[], rename: Rename): Json[] {
  return files.flatMap((f) =>
    ((f.spec as Json).segments as Json[]).map((s) => ({
      ...s,
      id: rename(String(s.id)),
      conditions: renameRefs(s.conditions, rename),
    })),
  );
}

function copyBanner(banner: Json, rename: Rename): Json {
  const spec = banner.spec as Json;
  const experiments = (spec.experiments as Json[]).map((e) => ({
    ...e,
    id: rename(String(e.id)),
    ...(e.eligibility ? { eligibility: renameRefs(e.eligibility, rename) } : {}),
  }));
  const banners = (spec.banners as Json[]).map((b) => ({
    ...b,
    id: rename(String(b.id)),
    ...(b.experiment ? { experiment: rename(String(b.experiment)) } : {}),
    ...(b.when ? { when: renameRefs(b.when, rename) } : {}),
  }));
  return { experiments, banners };
}

function copyOfferwallRules(offerwall: Json, rename: Rename): Json[] {
  return ((offerwall.spec as Json).rules as Json[]).map((r) => ({
    ...r,
    id: rename(String(r.id)),
    when: renameRefs(r.when, rename),
  }));
}

function copyJourneys(journeys: Json, k: number, rename: Rename): Json {
  const spec = journeys.spec as Json;
  return {
    offers: ((spec.offers as Json[]) ?? []).map((o) => ({
      ...o,
      offerType: `${String(o.offerType)}_x${k}`,
      conditions: renameRefs(o.conditions, rename),
    })),
    recommendations: ((spec.recommendations as Json[]) ?? []).map((r) => ({
      ...r,
      id: rename(String(r.id)),
      conditions: renameRefs(r.conditions, rename),
    })),
  };
}

/** The marker rule of one offerwall version: it moves `offerId` to the top by `2 + version / 100`. */
export function markerRule(version: number, offerId: number): Json {
  return {
    id: 'bench-version-marker',
    description: 'Benchmark: identifies the rules version in every response',
    when: { fact: 'request.wallId', operator: 'equal', value: 1001 },
    boost: { offerIds: [offerId], by: markerBoost(version) },
  };
}

export const markerBoost = (version: number): number => 2 + version / 100;

/** The offerwall file's text at one version (the base rules with copies, plus the marker). */
export function offerwallText(base: Json, copies: Json[], version: number, markerOffer: number): string {
  const spec = base.spec as Json;
  const rules = [...(spec.rules as Json[]), ...copies, markerRule(version, markerOffer)];
  return stringify({ ...base, version, spec: { ...spec, rules } });
}

export interface ScaledRules {
  /** The app's directory. */
  dir: string;
  segments: number;
  offerwallRules: number;
  /** The path of the Offerwall file. */
  offerwallFile: string;
  /** The Offerwall file's text at `version`, with its marker on `markerOffer`. */
  offerwallText(version: number, markerOffer: number): string;
}

/** Writes `<target>/demo/` with the demo rules of `source/demo` scaled ×`factor`. */
export async function scaleRules(
  source: string,
  target: string,
  factor: number,
  markerOffer: number,
): Promise<ScaledRules> {
  const from = path.join(source, 'demo');
  const dir = path.join(target, 'demo');
  await mkdir(dir, { recursive: true });
  const names = (await readdir(from)).filter((n) => n.endsWith('.yaml'));
  const docs = new Map<string, Json>();
  for (const name of names) docs.set(name, parse(await readFile(path.join(from, name), 'utf8')) as Json);
  const ofKind = (kind: string) => [...docs.entries()].filter(([, d]) => d.kind === kind);
  for (const [name, doc] of docs)
    if (doc.kind !== 'Offerwall') await writeFile(path.join(dir, name), stringify(doc));

  const segmentFiles = ofKind('Segments').map(([, d]) => d);
  const [owName, offerwall] = ofKind('Offerwall')[0] ?? [];
  if (!owName || !offerwall) throw new Error('the demo rules have no Offerwall file');
  const owCopies: Json[] = [];
  for (let k = 1; k < factor; k++) {
    const rename: Rename = (id) => `${id}-x${k}`;
    const write = (name: string, doc: Json) =>
      writeFile(path.join(dir, `${name}-x${k}.yaml`), stringify(doc));
    await write(
      'segments',
      header('Segments', 'Benchmark copy', { segments: copySegments(segmentFiles, rename) }),
    );
    for (const [, banner] of ofKind('Banner')) {
      await write('banner', header('Banner', 'Benchmark copy', copyBanner(banner, rename)));
    }
    for (const [name, journeys] of ofKind('Journeys')) {
      const spec = copyJourneys(journeys, k, rename);
      if ((spec.offers as Json[]).length + (spec.recommendations as Json[]).length === 0) continue;
      await write(name.replace(/\.yaml$/, ''), header('Journeys', 'Benchmark copy', spec));
    }
    owCopies.push(...copyOfferwallRules(offerwall, rename));
  }
  const textAt = (version: number, marker: number) => offerwallText(offerwall, owCopies, version, marker);
  const offerwallFile = path.join(dir, owName);
  await writeFile(offerwallFile, textAt(1, markerOffer));
  const segments =
    segmentFiles.reduce((n, f) => n + ((f.spec as Json).segments as Json[]).length, 0) * factor;
  const offerwallRules = owCopies.length + ((offerwall.spec as Json).rules as Json[]).length + 1;
  return { dir, segments, offerwallRules, offerwallFile, offerwallText: textAt };
}
