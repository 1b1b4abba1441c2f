/**
 * What a stored JSON value costs in memory, beyond its bytes. The stores bound free-form
 * values (banner profiles, journeys metadata) by bytes of JSON, but bytes are not what the
 * embedded store keeps: it keeps the parsed value. An empty object is 3 bytes of JSON
 * (`{},`) and 64 bytes of heap once parsed and kept in a list (Node 20, measured: 40,000
 * of them, 120 KB of JSON, hold 2.5 MB), so 128 KB of JSON held 21× its size. A bound on
 * the count of values bounds that: at 64 bytes a value at worst, N values hold at most
 * N × 64 bytes, whatever their JSON looks like.
 *
 * One copy per API's domain (journeys has the other): a domain imports nothing of
 * ours outside its API's domain (docs: architecture, rule 1; test/architecture.test.ts).
 * test/domain-json-values.test.ts holds both copies to the same counts.
 */

/**
 * How many JSON values `value` holds: every object, array and scalar counts one (keys do
 * not; `{"a":[1,{}]}` is 4). Stops counting once past `stopAfter`, returning
 * `stopAfter + 1`, so checking a bound costs no more than the bound. Iterative: the
 * depth of client data never becomes the depth of our stack.
 */
export function countJsonValues(value: unknown, stopAfter = Number.POSITIVE_INFINITY): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (++count > stopAfter) return count;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) for (const item of v) stack.push(item);
    // A key whose value is undefined has no JSON (stringify leaves it out); in a list it is null.
    else for (const child of Object.values(v)) if (child !== undefined) stack.push(child);
  }
  return count;
}
