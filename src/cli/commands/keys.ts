import { hashApiKey } from '../../config/api-key.js';
import type { CliIo } from '../cli-io.js';

/** `offerd keys hash <key>`: the line to paste into config/offerd.yaml. */
export async function keysCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, key] = args;
  if (sub !== 'hash' || !key) {
    io.err('usage: offerd keys hash <key>');
    return 2;
  }
  io.out(hashApiKey(key));
  return 0;
}
