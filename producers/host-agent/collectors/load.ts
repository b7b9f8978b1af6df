import type { Measurement } from '../measurement';
import type { ProcReader } from '../procfs/proc-reader';
import type { Collector } from './collector';

/** system.cpu.load_average.1m|5m|15m from /proc/loadavg. */
export function loadAverages(loadavg: string): Measurement[] {
  const [m1, m5, m15] = loadavg.trim().split(/\s+/).map(Number);
  return (
    [
      ['1m', m1],
      ['5m', m5],
      ['15m', m15],
    ] as const
  )
    .filter(([, v]) => Number.isFinite(v))
    .map(([span, v]) => ({ metric: `system.cpu.load_average.${span}`, value: v!, unit: '{thread}' }));
}

export function loadCollector(proc: ProcReader, everyMs: number): Collector {
  return {
    name: 'load',
    everyMs,
    async collect() {
      return { samples: loadAverages(await proc.read('loadavg')) };
    },
  };
}
