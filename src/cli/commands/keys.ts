import { parseArgs } from 'node:util';
import { hashApiKey } from '../../config/api-key.js';
import { CliError, type CliIo } from '../cli-io.js';

/** `offerd keys hash <key>`: the line to paste into config/offerd.yaml. */
export async function keysCommand(args: string[], io: CliIo): Promise<number> {
  // Strict: an option is refused rather than hashed as if it were the key (a key starting with '-' goes after '--').
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [sub, key, ...extra] = positionals;
  if (sub === undefined) throw new CliError('needs a subcommand: hash');
  if (sub !== 'hash') throw new CliError(`unknown subcommand '${sub}' (subcommands: hash)`);
  if (key === undefined) throw new CliError('hash needs <key>');
  if (extra.length > 0) throw new CliError(`hash takes one key (unexpected '${extra[0]}')`);
  io.out(hashApiKey(key));
  return 0;
}
