import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openDocumentStore, openPostgresStore } from '../../apis.js';
import { loadConfig } from '../../config/load-config.js';
import { copyRulesState } from '../../store/copy-rules-state.js';
import { compareStores, comparisonTable, copyStore, nonEmptyCollections } from '../../store/copy-store.js';
import type { Store } from '../../store/store.js';
import { CliError, type CliIo } from '../cli-io.js';

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  'from-dir': { type: 'string' },
  'to-dir': { type: 'string' },
  'from-url': { type: 'string' },
  'to-url': { type: 'string' },
} as const;

interface Side {
  kind: 'lowdb' | 'postgres';
  where: string;
}

/** Where one side of the copy is: explicit option, else the same environment as `offerd serve`. */
function side(kind: string | undefined, dir: string | undefined, url: string | undefined): Side | string {
  if (kind === 'lowdb') return { kind, where: dir ?? process.env.OFFERD_DATA_DIR ?? 'data' };
  if (kind === 'postgres') {
    const where = url ?? process.env.DATABASE_URL;
    return where ? { kind, where } : 'postgres needs --from-url/--to-url or DATABASE_URL';
  }
  if (kind === 'memory') return 'the memory store is empty and vanishes with the process: nothing to copy';
  return kind === undefined ? 'needs --from and --to' : `unknown store '${kind}' (lowdb or postgres)`;
}

const open = (s: Side): Promise<Store> =>
  s.kind === 'lowdb' ? openDocumentStore(s.where) : openPostgresStore(s.where);

/** Prints the comparison table; 0 when every collection matches, else 1. */
async function compare(from: Store, to: Store, io: CliIo): Promise<number> {
  const rows = await compareStores(from, to);
  for (const line of comparisonTable(rows)) io.out(line);
  const bad = rows.filter((r) => !r.equal);
  if (bad.length === 0) return 0;
  io.err(`mismatch in ${bad.map((r) => r.collection).join(', ')}`);
  return 1;
}

async function copy(from: Store, to: Store, io: CliIo): Promise<number> {
  // The apps whose rules' state (kept snapshots, a rollback in force) goes too: read first, so
  // that a config that does not load stops the copy before anything is written.
  const appIds = loadConfig().apps.map((a) => a.id);
  const taken = await nonEmptyCollections(to);
  if (taken.length > 0) {
    // A service that started on the target wrote the experiment ends its rules make (operator
    // check: refused, with nothing saying what wrote them or what to do).
    const startedOn =
      taken.length === 1 && taken[0] === 'banner.experimentEnds'
        ? ': only the experiment ends a service records when it starts with the rules, so a service ran on it; copy into a store no service has started on (for PostgreSQL: `offerd migrate`, then the copy, then start the services)'
        : ': copy into an empty store';
    io.err(`the target is not empty (${taken.join(', ')})${startedOn}`);
    return 2;
  }
  await copyStore(from, to, (collection, count) => io.out(`copied ${collection}: ${count}`));
  for (const c of await copyRulesState(from, to, appIds)) {
    const rollback = c.rollback ? `, the rollback in force to ${c.rollback.slice(0, 12)}` : '';
    io.out(`copied rules of ${c.appId}: ${c.kept} kept snapshot(s)${rollback}`);
  }
  return compare(from, to, io);
}

/**
 * `offerd store copy`: every record of one store into another, empty one (lowdb →
 * PostgreSQL to move to several instances, or back), then the comparison of both:
 * counts and a sha256 per collection, exit 1 on any difference. `offerd store compare`
 * prints the comparison alone. Run it against stopped services.
 */
export async function storeCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub.startsWith('-')) throw new CliError('needs a subcommand: copy or compare');
  if (sub !== 'copy' && sub !== 'compare') {
    throw new CliError(`unknown subcommand '${sub}' (subcommands: copy, compare)`);
  }
  const { values } = parseArgs({ args: rest, options: OPTIONS });
  const from = side(values.from, values['from-dir'], values['from-url']);
  const to = side(values.to, values['to-dir'], values['to-url']);
  if (typeof from === 'string') throw new CliError(from);
  if (typeof to === 'string') throw new CliError(to);
  if (from.kind === 'lowdb' && !existsSync(from.where)) throw new CliError(`no data directory ${from.where}`);
  // Compare reads both sides: a mistyped target was created, empty, and reported MISMATCH.
  if (sub === 'compare' && to.kind === 'lowdb' && !existsSync(to.where)) {
    throw new CliError(`no data directory ${to.where}`);
  }
  if (from.kind === to.kind && from.where === to.where) {
    throw new CliError('source and target are the same store');
  }
  const [source, target] = [from, to];
  const stores = [await open(source)];
  try {
    stores.push(await open(target));
    const [a, b] = stores as [Store, Store];
    return await (sub === 'copy' ? copy(a, b, io) : compare(a, b, io));
  } finally {
    for (const s of stores) await s.close();
  }
}
