import fs from 'node:fs';

/** A process told apart from a later one that reuses its pid: the pid and when it started. */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot (`/proc/<pid>/stat` field 22); absent without /proc. */
  startTicks?: number;
}

function startTicksOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

export function identify(pid: number): ProcessIdentity {
  const startTicks = startTicksOf(pid);
  return startTicks === undefined ? { pid } : { pid, startTicks };
}

/** True while that very process runs (not another that was given its pid since). */
export function isRunning(id: ProcessIdentity): boolean {
  try {
    process.kill(id.pid, 0);
  } catch {
    return false; // gone, or (EPERM) another user's process now: not the one recorded
  }
  return id.startTicks === undefined || startTicksOf(id.pid) === id.startTicks;
}
