import { CounterRates } from '../counter-rates';
import type { Measurement } from '../measurement';
import { parseDiskstats, type DiskCounters } from '../procfs/diskstats';
import type { ProcReader } from '../procfs/proc-reader';
import type { Collector } from './collector';

/** system.disk.io (bytes/s) and system.disk.operations (operations/s) by system.device and disk.io.direction. */
export function diskMeasurements(
  disks: readonly DiskCounters[],
  rates: CounterRates,
  ms: number,
): Measurement[] {
  const out: Measurement[] = [];
  for (const d of disks) {
    const series: [string, string, 'read' | 'write', number][] = [
      ['system.disk.io', 'By/s', 'read', d.readBytes],
      ['system.disk.io', 'By/s', 'write', d.writtenBytes],
      ['system.disk.operations', '{operation}/s', 'read', d.reads],
      ['system.disk.operations', '{operation}/s', 'write', d.writes],
    ];
    for (const [metric, unit, direction, counter] of series) {
      const value = rates.rate(`${metric}|${d.device}|${direction}`, counter, ms);
      if (value !== undefined)
        out.push({
          metric,
          value,
          unit,
          attributes: { 'system.device': d.device, 'disk.io.direction': direction },
        });
    }
  }
  rates.sweep();
  return out;
}

export function diskCollector(proc: ProcReader, everyMs: number, rates = new CounterRates()): Collector {
  return {
    name: 'disk',
    everyMs,
    async collect(nowMs) {
      return { samples: diskMeasurements(parseDiskstats(await proc.read('diskstats')), rates, nowMs) };
    },
  };
}
