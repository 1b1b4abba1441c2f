import { type Condition, forEachLeaf, isSegmentRef } from './engine/conditions.js';

/**
 * At most this many fact conditions in one rule's or segment's condition once every segment it
 * references is written out. json-rules-engine inlines a referenced segment as a deep copy for
 * every reference, recursively (Rule.realize), and evaluates every copy: a 1.6 KB file of five
 * segments each referencing the previous one ten times became 100,000 conditions, held the
 * event loop for minutes and ran out of memory at every start (hostile probe). Measured with
 * json-rules-engine alone: an uncached evaluation costs ~10 µs per condition (1,024: 14 ms;
 * 10,000: 84 ms). The shipped rules' largest is 2; a segment with a list of 500 countries is 1.
 */
export const MAX_EXPANDED_CONDITIONS = 1_000;

/**
 * A condition's fact conditions with the segments it references written out, each
 * referenced segment counted at `segmentSize`. Only the form is read: malformed parts are
 * reported elsewhere.
 */
export function expandedSize(condition: Condition, segmentSize: (id: string) => number): number {
  let n = 0;
  forEachLeaf(condition, [], (leaf) => {
    n += isSegmentRef(leaf) ? segmentSize(leaf.segment) : 1;
  });
  return n;
}

/**
 * Each segment's expanded size (expandedSize), each computed once: linear in the segments'
 * text however deep they nest. A reference into a cycle counts 0 here (cycles are refused
 * on their own); an unknown segment counts 0 too (refused on its own).
 */
export function expandedSizes(segments: ReadonlyMap<string, Condition>): Map<string, number> {
  const sizes = new Map<string, number>();
  const visiting = new Set<string>();
  const size = (id: string): number => {
    const known = sizes.get(id);
    if (known !== undefined) return known;
    const condition = segments.get(id);
    if (!condition || visiting.has(id)) return 0;
    visiting.add(id);
    const n = expandedSize(condition, size);
    visiting.delete(id);
    sizes.set(id, n);
    return n;
  };
  for (const id of segments.keys()) size(id);
  return sizes;
}

/** Why a condition is refused for its expanded size. */
export function tooLarge(subject: string, size: number): string {
  const n = Number.isFinite(size) && size < 1e15 ? size.toLocaleString('en-US') : size.toExponential(1);
  return `${subject} is ${n} conditions once the segments it references are written out (each reference is a full copy); at most ${MAX_EXPANDED_CONDITIONS.toLocaleString('en-US')}: reference fewer segments, or segments that reference fewer`;
}
