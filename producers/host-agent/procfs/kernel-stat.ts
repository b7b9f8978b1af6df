/** CPU time by mode, in clock ticks since boot (USER_HZ, 100 per second on Linux). */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export interface KernelStat {
  cpu: CpuTimes;
  /** Logical CPUs (the `cpuN` lines). */
  cpus: number;
  bootTimeSec: number;
  /** Processes and threads created since boot (a counter). */
  forks: number;
  procsRunning: number;
  procsBlocked: number;
}

/** Parses /proc/stat. */
export function parseKernelStat(text: string): KernelStat {
  const out: KernelStat = {
    cpu: { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 },
    cpus: 0,
    bootTimeSec: 0,
    forks: 0,
    procsRunning: 0,
    procsBlocked: 0,
  };
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const [name] = fields;
    const n = (i: number) => Number(fields[i] ?? 0) || 0;
    if (name === 'cpu') {
      out.cpu = {
        user: n(1),
        nice: n(2),
        system: n(3),
        idle: n(4),
        iowait: n(5),
        irq: n(6),
        softirq: n(7),
        steal: n(8),
      };
    } else if (name?.startsWith('cpu')) out.cpus++;
    else if (name === 'btime') out.bootTimeSec = n(1);
    else if (name === 'processes') out.forks = n(1);
    else if (name === 'procs_running') out.procsRunning = n(1);
    else if (name === 'procs_blocked') out.procsBlocked = n(1);
  }
  return out;
}
