import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface DataDirHolder {
  child: ChildProcess;
  pid: number;
  /** Resolves once the process is gone (after kill('SIGKILL') or 'SIGTERM'). */
  exited: Promise<unknown>;
}

/**
 * Another process holding the embedded store in `dir` (test/helpers/hold-data-dir.ts), with
 * one profile (user 'held') acknowledged. Killed with SIGKILL when the test ends.
 */
export async function holdDataDir(dir: string, teardown: (fn: () => void) => void): Promise<DataDirHolder> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/hold-data-dir.ts', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit').catch(() => undefined);
  teardown(() => child.kill('SIGKILL'));
  let printed = '';
  child.stderr?.on('data', (d: Buffer) => {
    printed += d.toString();
  });
  const pid = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      printed += d.toString();
      const held = /holding (\d+)/.exec(printed);
      if (held) resolve(Number(held[1]));
    });
    void exited.then(() => reject(new Error(`the holder exited before it held ${dir}:\n${printed}`)));
  });
  return { child, pid, exited };
}
