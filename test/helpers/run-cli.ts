import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** This checkout's installed binary (tests run from its root). */
const BIN = path.resolve('bin/offerd.js');

/**
 * The installed binary run with `args`, `env` on top of this process's environment, in `cwd`
 * (default: here): its exit code and output, whatever the code.
 */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliRun> {
  return promisify(execFile)(process.execPath, [BIN, ...args], {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    timeout: 120_000,
    env: { ...process.env, ...options.env },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
}
