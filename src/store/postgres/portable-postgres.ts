import type { Pool, PoolClient } from 'pg';

export type Row = Record<string, unknown>;

/**
 * Every row of `from` in the order of `key` (unique), `size` rows at a time, by keyset
 * pagination: each page starts after the last key seen, so a page costs the same at the
 * end of a big table as at its start. `select` must include the key columns.
 */
export async function* keysetPages(
  pool: Pool,
  select: string,
  from: string,
  key: readonly string[],
  size = 1000,
): AsyncIterable<Row[]> {
  const order = key.join(', ');
  let after: unknown[] | null = null;
  for (;;) {
    const where = after ? `WHERE (${order}) > (${key.map((_, i) => `$${i + 2}`).join(', ')})` : '';
    const { rows }: { rows: Row[] } = await pool.query(
      `SELECT ${select} FROM ${from} ${where} ORDER BY ${order} LIMIT $1`,
      [size, ...(after ?? [])],
    );
    if (rows.length === 0) return;
    yield rows;
    const last = rows[rows.length - 1] as Row;
    after = key.map((k) => last[k]);
  }
}

/** A column of an import: its name (also the JSON field name) and SQL type. */
export type Column = readonly [name: string, type: string];

/**
 * Inserts `rows` (objects keyed by column name) in one statement, in the given order
 * (so serial columns number them in that order). Plain INSERT: a key already present
 * fails the whole import, which is meant for an empty store.
 */
export async function insertRows(
  c: PoolClient,
  table: string,
  columns: readonly Column[],
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) return;
  const names = columns.map(([n]) => n).join(', ');
  const types = columns.map(([n, t]) => `${n} ${t}`).join(', ');
  await c.query(
    `INSERT INTO ${table} (${names})
     SELECT ${columns.map(([n]) => `t.${n}`).join(', ')}
     FROM jsonb_to_recordset($1::jsonb) AS t(${types}, ord bigint)
     ORDER BY t.ord`,
    [JSON.stringify(rows.map((r, ord) => ({ ...r, ord })))],
  );
}

export async function* mapped<T>(pages: AsyncIterable<Row[]>, map: (r: Row) => T): AsyncIterable<T[]> {
  for await (const page of pages) yield page.map(map);
}

const camel = (column: string): string => column.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());

/**
 * A canonical record as a row: each column from the field of the same name in camelCase
 * (offer_id ← offerId), for tables whose columns mirror the port's fields one to one.
 */
export function snakeCase(record: object, columns: readonly Column[]): Row {
  const fields = record as Record<string, unknown>;
  return Object.fromEntries(columns.map(([name]) => [name, fields[camel(name)] ?? null]));
}
