import test from 'ava';
import { LastGoodKeeper } from '../../src/rules/last-good-keeper.js';
import type { RulesRegistry } from '../../src/rules/rules-registry.js';
import type { LastGoodRules, LastGoodSnapshot } from '../../src/store/last-good-rules.js';
import { silentLogger } from '../helpers/silent-logger.js';

test('two activations close together are kept in their order, even when the first write is the slower', async (t) => {
  const stored = new Map<string, LastGoodSnapshot>();
  let first = true;
  const kept: LastGoodRules = {
    async put(appId, snapshot) {
      // The first write answers after the second would have: a database commit's order.
      if (first) {
        first = false;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      stored.set(appId, snapshot);
    },
    get: async (appId) => stored.get(appId) ?? null,
    find: async () => null,
    kept: async () => [],
  };
  const registry = {
    snapshotFiles: (_appId: string, hash: string) => [{ name: 'banner.yaml', text: hash }],
  } as unknown as RulesRegistry;
  const keeper = new LastGoodKeeper(registry, kept, silentLogger);
  const activated = (hash: string) =>
    keeper.observe({ appId: 'demo', result: 'activated', version: 'v', hash, ms: 1, warnings: [] });
  activated('older');
  activated('newer');
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.is(stored.get('demo')?.hash, 'newer');
});
