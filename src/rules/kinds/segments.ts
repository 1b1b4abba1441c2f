import type { CompileContext } from '../compile-context.js';
import { segmentRefs } from '../engine/conditions.js';
import { expandedSizes, MAX_EXPANDED_CONDITIONS, tooLarge } from '../expanded-size.js';
import type { RuleFile } from '../rule-file.js';
import type { SegmentsSpec } from '../schemas/segments.js';
import { SegmentCatalog, type SegmentDefinition } from '../segment-catalog.js';

/** Merges every Segments file of an app; reports duplicates, bad conditions and cycles. */
export function compileSegments(files: RuleFile<SegmentsSpec>[], ctx: CompileContext): SegmentCatalog {
  const items = files.flatMap((file) =>
    file.spec.segments.map((item, i) => ({ file, path: ['segments', i] as (string | number)[], item })),
  );
  ctx.checkUniqueIds(items, (s) => s.id, 'segment');
  ctx.setSegmentIds(new Set(items.map((i) => i.item.id)));
  ctx.setSegmentSites(new Map([...items].reverse().map((i) => [i.item.id, { file: i.file, path: i.path }])));
  for (const { file, path, item } of items)
    ctx.checkCondition(file, [...path, 'conditions'], item.conditions);
  reportCycles(items, ctx);
  const unique = new Map<string, SegmentDefinition>();
  for (const { item } of items) {
    if (!unique.has(item.id)) {
      unique.set(item.id, { id: item.id, description: item.description ?? '', conditions: item.conditions });
    }
  }
  reportTooLarge(items, unique, ctx);
  return new SegmentCatalog([...unique.values()], ctx.decisionStats);
}

/**
 * Segments too large once the segments they reference are written out (expanded-size.ts),
 * each reported where it first passes the bound: a chain of them is one problem, at its root.
 */
function reportTooLarge(
  items: Item[],
  unique: ReadonlyMap<string, SegmentDefinition>,
  ctx: CompileContext,
): void {
  const sizes = expandedSizes(new Map([...unique].map(([id, s]) => [id, s.conditions])));
  ctx.setSegmentSizes(sizes);
  const over = (id: string) => (sizes.get(id) ?? 0) > MAX_EXPANDED_CONDITIONS;
  const reported = new Set<string>();
  for (const { file, path, item } of items) {
    if (reported.has(item.id) || !over(item.id) || segmentRefs(item.conditions).some(over)) continue;
    reported.add(item.id);
    ctx.report(file, [...path, 'conditions'], tooLarge(`segment '${item.id}'`, sizes.get(item.id) ?? 0));
  }
}

type Item = {
  file: RuleFile<SegmentsSpec>;
  path: (string | number)[];
  item: SegmentsSpec['segments'][number];
};

/** A segment that (through others) references itself would never finish evaluating. */
function reportCycles(items: Item[], ctx: CompileContext): void {
  const byId = new Map(items.map((i) => [i.item.id, i]));
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(id)), id];
      const key = [...cycle].sort().join(',');
      const at = byId.get(id);
      if (at && !reported.has(key)) {
        reported.add(key);
        ctx.report(at.file, [...at.path, 'conditions'], `segment cycle: ${cycle.join(' -> ')}`);
      }
      return;
    }
    const node = byId.get(id);
    if (!node) return;
    state.set(id, 'visiting');
    for (const ref of segmentRefs(node.item.conditions)) visit(ref, [...trail, id]);
    state.set(id, 'done');
  };
  for (const id of byId.keys()) visit(id, []);
}
