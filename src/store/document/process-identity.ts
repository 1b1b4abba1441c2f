import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/**
 * Who holds a data dir, as written into its lock file: enough to tell later, from another
 * process on the same host, whether that holder still runs. A pid alone is not: after a
 * kill -9 the pid can be given to an unrelated process (in a restarted container offerd
 * often gets the very same pid), which would keep the dir locked for ever. The kernel's
 * start time of the process (/proc/<pid>/stat, field 22) and the boot id tell a reused pid
 * and a lock from before a reboot apart. Where /proc is missing (macOS) both are null and
 * the pid alone decides.
 */
export interface ProcessIdentity {
  pid: number;
  hostname: string;
  /** /proc/sys/kernel/random/boot_id: a new one at every boot. */
  bootId: string | null;
  /** Clock ticks since boot at which the process started (/proc/<pid>/stat field 22). */
  startTime: string | null;
}

/** What /proc says of a running pid: its state letter (Z: a zombie, dead) and start time. */
interface ProcStat {
  state: string;
  startTime: string;
}

/** /proc/<pid>/stat, or null without /proc or when the process is gone. */
async function procStat(pid: number | 'self'): Promise<ProcStat | null> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2 is the command name in parentheses and may itself hold spaces and ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, startTime] = [fields[0], fields[19]];
  return state && startTime ? { state, startTime } : null;
}

async function bootId(): Promise<string | null> {
  try {
    return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  } catch {
    return null;
  }
}

export async function currentProcess(): Promise<ProcessIdentity> {
  const stat = await procStat('self');
  return {
    pid: process.pid,
    hostname: hostname(),
    bootId: await bootId(),
    startTime: stat?.startTime ?? null,
  };
}

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    if ((err as NodeJS.ErrnoException).code === 'EPERM') return true;
    throw err;
  }
}

/**
 * Whether `holder` runs now, as seen from `me`: 'this process', 'alive', 'dead', or
 * 'unknown' when it ran on another host (its pid means nothing here).
 */
export async function holderState(
  holder: ProcessIdentity,
  me: ProcessIdentity,
): Promise<'this process' | 'alive' | 'dead' | 'unknown'> {
  if (holder.hostname !== me.hostname) return 'unknown';
  if (holder.bootId !== null && me.bootId !== null && holder.bootId !== me.bootId) return 'dead';
  if (holder.pid === me.pid) {
    // Our own pid: this process, unless the start times say it was an earlier one.
    return holder.startTime !== null && me.startTime !== null && holder.startTime !== me.startTime
      ? 'dead'
      : 'this process';
  }
  if (!pidExists(holder.pid)) return 'dead';
  if (holder.startTime === null) return 'alive';
  const now = await procStat(holder.pid);
  // No /proc entry: it exited since the check above, or /proc hides other users' processes
  // (hidepid): then the pid still exists, and it may be the holder.
  if (now === null) return pidExists(holder.pid) ? 'alive' : 'dead';
  // A zombie has exited: only its parent has not reaped it yet.
  if (now.state === 'Z' || now.startTime !== holder.startTime) return 'dead';
  return 'alive';
}
