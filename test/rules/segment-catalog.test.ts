import test from 'ava';
import type { Condition } from '../../src/rules/engine/conditions.js';
import { SegmentCatalog } from '../../src/rules/segment-catalog.js';

/** The shared conditions json-rules-engine holds for an evaluator: the segments it inlined. */
function inlined(evaluator: unknown): number {
  const rules = (evaluator as { rules: { rules: { engine: { conditions: Map<string, unknown> } }[] } }).rules;
  return rules.rules[0]?.engine.conditions.size ?? -1;
}

test("an API's segment evaluator inlines the segments its rules reach, not the whole catalog", async (t) => {
  // s0 builds on s1, which builds on s2; 1,000 more segments no rule uses. Every API built an
  // evaluator inlining all of them on every reload (APIs × segments of work per reload).
  const definitions = [
    { id: 's0', description: '', conditions: { all: [{ segment: 's1' }] } as Condition },
    { id: 's1', description: '', conditions: { any: [{ segment: 's2' }] } as Condition },
    {
      id: 's2',
      description: '',
      conditions: { fact: 'user.level', operator: 'equal', value: 3 } as Condition,
    },
    ...Array.from({ length: 1000 }, (_, i) => ({
      id: `unused-${i}`,
      description: '',
      conditions: { fact: 'user.level', operator: 'equal', value: i } as Condition,
    })),
  ];
  const catalog = new SegmentCatalog(definitions);
  const evaluator = catalog.forIds(['s0']);
  t.is(inlined(evaluator), 3);
  t.deepEqual((await evaluator.evaluate({ user: { level: 3 } })).ids, ['s0']);
  t.deepEqual((await evaluator.evaluate({ user: { level: 4 } })).ids, []);
  t.is(inlined(catalog.forIds()), 1003, 'all of them when all are asked for');
});
