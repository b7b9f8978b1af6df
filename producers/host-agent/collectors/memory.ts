import type { Measurement } from '../measurement';
import { parseMeminfo } from '../procfs/meminfo';
import type { ProcReader } from '../procfs/proc-reader';
import type { Collector } from './collector';

const usage = (metric: string, state: string, value: number, unit = 'By'): Measurement => ({
  metric,
  value,
  unit,
  attributes: { 'system.memory.state': state },
});

/**
 * system.memory.usage (bytes) by system.memory.state, system.memory.utilization (ratio of 1) of
 * "used", system.memory.limit, and swap as system.paging.usage/utilization by state. "used" is
 * what applications hold: total minus what the kernel could hand out now (MemAvailable).
 */
export function memoryMeasurements(info: Record<string, number>): Measurement[] {
  const total = info.MemTotal ?? 0;
  const available = info.MemAvailable ?? (info.MemFree ?? 0) + (info.Cached ?? 0) + (info.Buffers ?? 0);
  const used = total - available;
  const out: Measurement[] = [
    usage('system.memory.usage', 'used', used),
    usage('system.memory.usage', 'free', info.MemFree ?? 0),
    usage('system.memory.usage', 'buffers', info.Buffers ?? 0),
    usage('system.memory.usage', 'cached', info.Cached ?? 0),
    usage('system.memory.usage', 'slab_reclaimable', info.SReclaimable ?? 0),
    { metric: 'system.memory.limit', value: total, unit: 'By' },
  ];
  if (total > 0) out.push(usage('system.memory.utilization', 'used', used / total, '1'));
  const swap = info.SwapTotal ?? 0;
  if (swap > 0) {
    const swapFree = info.SwapFree ?? 0;
    out.push(
      {
        ...usage('system.paging.usage', 'used', swap - swapFree),
        attributes: { 'system.paging.state': 'used' },
      },
      { ...usage('system.paging.usage', 'free', swapFree), attributes: { 'system.paging.state': 'free' } },
      {
        ...usage('system.paging.utilization', 'used', (swap - swapFree) / swap, '1'),
        attributes: { 'system.paging.state': 'used' },
      },
    );
  }
  return out;
}

export function memoryCollector(proc: ProcReader, everyMs: number): Collector {
  return {
    name: 'memory',
    everyMs,
    async collect() {
      return { samples: memoryMeasurements(parseMeminfo(await proc.read('meminfo'))) };
    },
  };
}
