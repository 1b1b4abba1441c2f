import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { OfferdConfig } from '../config/config-types.js';
import { ConfigError } from '../config/load-config.js';
import { StartError } from '../start-failure.js';

/** Names that do not resolve: the getaddrinfo codes. */
const UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA']);

function unresolvedHost(host: string, code: string): StartError {
  return new StartError(
    `HOST '${host}' does not resolve to an address (${code}): set HOST to an address of this machine (0.0.0.0 for all, 127.0.0.1 for local only) or a name that resolves to one`,
  );
}

/** Throws a StartError naming HOST when it is a name that does not resolve. */
export async function checkHost(host: string): Promise<void> {
  if (isIP(host) !== 0) return;
  try {
    await lookup(host);
  } catch (err) {
    const code = String((err as { code?: unknown }).code);
    // A setting that names nothing: invalid configuration, as a bad PORT is.
    if (UNRESOLVED.has(code)) throw new ConfigError(unresolvedHost(host, code).message);
    throw err;
  }
}

/** Why the port could not be listened on, as what to do about it. */
export function listenFailure(err: unknown, config: Pick<OfferdConfig, 'port' | 'host'>): unknown {
  const code = (err as { code?: unknown }).code;
  const where = `port ${config.port} on ${config.host}`;
  if (code === 'EADDRINUSE') {
    return new StartError(`${where} is in use by another process: stop it, or set PORT to a free port`);
  }
  if (code === 'EACCES') return new StartError(`${where} needs privileges: set PORT to one above 1023`);
  if (typeof code === 'string' && UNRESOLVED.has(code)) return unresolvedHost(config.host, code);
  if (code === 'EADDRNOTAVAIL')
    return new StartError(`${where}: no such address here: set HOST to one of this machine's`);
  return err;
}
