import test from 'ava';
import { v7 as timeOrderedUuid } from 'uuid';
import { openPostgresStore } from '../../../src/apis.js';
import { CHUNK_READS } from '../../../src/journeys/store/journeys-postgres-offers.js';
import { usePostgres } from '../../helpers/postgres-server.js';

const server = usePostgres(test);

/** Every plan node's type, depth first. */
function nodeTypes(plan: Record<string, unknown>): string[] {
  const children = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
  return [String(plan['Node Type']), ...children.flatMap(nodeTypes)];
}

// A generation chunk checks thousands of users and offer ids at once. Written as a plain
// `= ANY(list)`, the planner read the whole table for each chunk (a run then grew with the
// square of the users); bounded by the list's own range it reads one index range.
test('a generation chunk reads index ranges, never the whole users or offers table', async (t) => {
  const store = await openPostgresStore(await server().freshDatabase('plans'), { max: 2 });
  t.teardown(() => store.close());
  const q = (sql: string, values: unknown[] = []) => store.pool.query(sql, values);
  await q(`INSERT INTO journeys_users (app_id, environment, external_id, id, tags, metadata, created_at, updated_at)
    SELECT 'demo', 'test', 'u' || lpad(i::text, 6, '0'), 'id' || i, '{}', '{}', now(), now()
    FROM generate_series(1, 50000) i`);
  // Older time-ordered ids: a v7 id starts with its millisecond timestamp in hex.
  await q(`INSERT INTO journeys_offers (app_id, environment, id, external_id, offer_type, title, description,
      points_value, status, created_at, expires_at, metadata)
    SELECT 'demo', 'test', lpad(to_hex(i * 3 + k), 12, '0') || '-0000-7000-8000-000000000000',
      'u' || lpad(i::text, 6, '0'), 'type' || k, 't', 'd', 10, 'active', now(), now() + interval '1 day', '{}'
    FROM generate_series(1, 50000) i, generate_series(1, 3) k`);
  await q('ANALYZE');
  const users = Array.from({ length: 1700 }, (_, i) => `u${String(20_000 + i).padStart(6, '0')}`);
  const newIds = Array.from({ length: 5000 }, () => timeOrderedUuid());
  const cases = [
    ['known users', CHUNK_READS.knownUsers, ['demo', 'test', users]],
    ['counted offers', CHUNK_READS.countedOffers, ['demo', 'test', users, new Date(), new Date(0)]],
    ['taken ids', CHUNK_READS.takenIds, ['demo', 'test', newIds]],
  ] as const;
  for (const [name, sql, values] of cases) {
    const { rows } = await q(`EXPLAIN (FORMAT JSON) ${sql}`, [...values]);
    const types = nodeTypes(rows[0]['QUERY PLAN'][0].Plan);
    t.false(types.includes('Seq Scan'), `${name}: ${types.join(' > ')}`);
    t.true(
      types.some((n) => n.startsWith('Index') || n.startsWith('Bitmap')),
      `${name}: ${types.join(' > ')}`,
    );
  }
});
