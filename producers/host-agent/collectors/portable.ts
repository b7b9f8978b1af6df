import os from 'node:os';
import type { CpuTimes } from '../procfs/kernel-stat';
import { cpuUtilization } from './cpu';
import type { Collector } from './collector';
import { loadAverages } from './load';

/** CPU times summed over os.cpus(), in the shape /proc/stat gives them (Node reports ms, not ticks). */
const cpuTimes = (): CpuTimes =>
  os.cpus().reduce<CpuTimes>(
    (t, c) => ({
      ...t,
      user: t.user + c.times.user,
      nice: t.nice + c.times.nice,
      system: t.system + c.times.sys,
      idle: t.idle + c.times.idle,
      irq: t.irq + c.times.irq,
    }),
    { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 },
  );

/**
 * Where there is no /proc (macOS, Windows): CPU, memory, load and uptime from Node's `os` module.
 * Disks, network, filesystems, connections and processes need /proc and are not collected there.
 */
export function portableCollector(everyMs: number): Collector {
  let prev: CpuTimes | undefined;
  return {
    name: 'portable',
    everyMs,
    async collect() {
      const cur = cpuTimes();
      const samples = prev ? cpuUtilization(prev, cur) : [];
      prev = cur;
      const total = os.totalmem();
      const used = total - os.freemem();
      samples.push(
        {
          metric: 'system.memory.usage',
          value: used,
          unit: 'By',
          attributes: { 'system.memory.state': 'used' },
        },
        {
          metric: 'system.memory.utilization',
          value: used / total,
          unit: '1',
          attributes: { 'system.memory.state': 'used' },
        },
        { metric: 'system.memory.limit', value: total, unit: 'By' },
        { metric: 'system.uptime', value: os.uptime(), unit: 's' },
        ...(process.platform === 'win32' ? [] : loadAverages(os.loadavg().join(' '))),
      );
      return { samples };
    },
  };
}
