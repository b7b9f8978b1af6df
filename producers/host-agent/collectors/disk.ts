import { CounterRates } from '../counter-rates';
import type { Measurement } from '../measurement';
import { parseDiskstats, type DiskCounters } from '../procfs/diskstats';
import type { ProcReader } from '../procfs/proc-reader';
import type { Collector } from './collector';
import { counterSamples } from './counter-samples';

/**
 * system.disk.io (bytes) and system.disk.operations, cumulative since boot as OpenTelemetry
 * counters, by system.device and disk.io.direction; their per-second rates as
 * tidewatch.system.disk.io_rate and tidewatch.system.disk.operations_rate.
 */
export function diskMeasurements(
  disks: readonly DiskCounters[],
  rates: CounterRates,
  ms: number,
): Measurement[] {
  const out: Measurement[] = [];
  for (const d of disks) {
    const series: [string, string, 'read' | 'write', number][] = [
      ['system.disk.io', 'By', 'read', d.readBytes],
      ['system.disk.io', 'By', 'write', d.writtenBytes],
      ['system.disk.operations', '{operation}', 'read', d.reads],
      ['system.disk.operations', '{operation}', 'write', d.writes],
    ];
    for (const [metric, unit, direction, counter] of series)
      out.push(
        ...counterSamples(rates, metric, unit, counter, ms, {
          'system.device': d.device,
          'disk.io.direction': direction,
        }),
      );
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
