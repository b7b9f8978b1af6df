import type { Measurement } from '../measurement';
import { parseKernelStat, type CpuTimes } from '../procfs/kernel-stat';
import type { ProcReader } from '../procfs/proc-reader';
import type { Collector } from './collector';

const MODES: [string, (t: CpuTimes) => number][] = [
  ['user', (t) => t.user],
  ['nice', (t) => t.nice],
  ['system', (t) => t.system],
  ['idle', (t) => t.idle],
  ['iowait', (t) => t.iowait],
  ['interrupt', (t) => t.irq + t.softirq],
  ['steal', (t) => t.steal],
];

/**
 * system.cpu.utilization as a ratio of 1 over the time between two readings: the total (busy =
 * everything but idle and iowait) and by cpu.mode. A counter that went backwards (a CPU taken
 * offline) gives no sample rather than a negative one.
 */
export function cpuUtilization(prev: CpuTimes, cur: CpuTimes): Measurement[] {
  const deltas = MODES.map(([mode, of]) => [mode, of(cur) - of(prev)] as const);
  const total = deltas.reduce((sum, [, d]) => sum + d, 0);
  if (total <= 0 || deltas.some(([, d]) => d < 0)) return [];
  const idle = cur.idle - prev.idle + (cur.iowait - prev.iowait);
  const out: Measurement[] = [{ metric: 'system.cpu.utilization', value: 1 - idle / total, unit: '1' }];
  for (const [mode, d] of deltas) {
    out.push({
      metric: 'system.cpu.utilization',
      value: d / total,
      unit: '1',
      attributes: { 'cpu.mode': mode },
    });
  }
  return out;
}

/** CPU utilization from /proc/stat, and the logical CPU count. */
export function cpuCollector(proc: ProcReader, everyMs: number): Collector {
  let prev: CpuTimes | undefined;
  return {
    name: 'cpu',
    everyMs,
    async collect() {
      const stat = parseKernelStat(await proc.read('stat'));
      const samples = prev ? cpuUtilization(prev, stat.cpu) : [];
      prev = stat.cpu;
      samples.push({ metric: 'system.cpu.logical.count', value: stat.cpus, unit: '{cpu}' });
      return { samples };
    },
  };
}
