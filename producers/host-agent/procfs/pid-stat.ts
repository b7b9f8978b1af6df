export interface PidStat {
  pid: number;
  name: string;
  /** R running, S sleeping, D uninterruptible (blocked), Z zombie, T/t stopped, I idle kernel thread. */
  state: string;
  ppid: number;
  /** user + system CPU time, in clock ticks. */
  cpuTicks: number;
  /** Start time after boot, in clock ticks. */
  startTicks: number;
  rssPages: number;
}

/** Parses /proc/<pid>/stat. The name sits in parentheses and may itself contain spaces or ")". */
export function parsePidStat(text: string): PidStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const f = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // f[0] is field 3 (state) of proc(5); field k is f[k - 3].
  if (f.length < 22) return undefined;
  return {
    pid: Number(text.slice(0, open)),
    name: text.slice(open + 1, close),
    state: f[0]!,
    ppid: Number(f[1]),
    cpuTicks: Number(f[11]) + Number(f[12]),
    startTicks: Number(f[19]),
    rssPages: Number(f[21]),
  };
}
