import { FIXTURE_APIS, type FixtureApi } from '../fixtures/api-case-runner.js';
import { CliError } from './cli-io.js';
import type { Subject } from './commands/diff.js';
import { readDataFile } from './read-data-file.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const CONTEXT_KEYS = new Set(['appId', 'api', 'name', 'request', 'state', 'now']);

/** One entry of a contexts list, checked; `where` names it in errors (`file: entry 3`). */
function context(entry: unknown, where: string, app: string | undefined): Subject {
  if (!isObject(entry))
    throw new CliError(`${where}: must be an object {appId?, api, name, request, state?, now?}`);
  const unknown = Object.keys(entry).filter((k) => !CONTEXT_KEYS.has(k));
  if (unknown.length > 0) throw new CliError(`${where}: unknown key(s) ${unknown.join(', ')}`);
  const appId = entry.appId ?? app;
  if (typeof appId !== 'string') throw new CliError(`${where}: needs appId (or give --app ID)`);
  if (!FIXTURE_APIS.includes(entry.api as FixtureApi)) {
    throw new CliError(`${where}: api must be one of ${FIXTURE_APIS.join(', ')}`);
  }
  if (typeof entry.name !== 'string' || entry.name === '') throw new CliError(`${where}: needs a name`);
  if (!isObject(entry.request)) throw new CliError(`${where}: needs a request object`);
  if (entry.state !== undefined && !isObject(entry.state))
    throw new CliError(`${where}: state must be an object`);
  if (entry.now !== undefined && (typeof entry.now !== 'string' || Number.isNaN(Date.parse(entry.now)))) {
    throw new CliError(`${where}: now must be an ISO 8601 date-time`);
  }
  return { ...(entry as unknown as Subject), appId };
}

/**
 * The contexts of `offerd diff --contexts FILE`: a list of contexts, or a Fixtures file
 * (its cases, for the app of --app). Any other shape is refused, naming the entry.
 */
export async function readContexts(file: string, app: string | undefined): Promise<Subject[]> {
  const value = await readDataFile(file);
  if (isObject(value) && value.kind === 'Fixtures') {
    if (!app) throw new CliError(`${file}: a Fixtures file needs --app ID (it does not name its app)`);
    if (!Array.isArray(value.cases)) throw new CliError(`${file}: a Fixtures file needs a cases list`);
    return value.cases.map((c, i) => {
      if (!isObject(c)) return context(c, `${file}: case ${i + 1}`, app);
      const { expect: _expect, ...rest } = c;
      return context(rest, `${file}: case ${i + 1}`, app);
    });
  }
  if (!Array.isArray(value)) {
    throw new CliError(`${file}: expected a list of contexts or a Fixtures file (see offerd diff --help)`);
  }
  return value.map((entry, i) => context(entry, `${file}: entry ${i + 1}`, app));
}
