import { CounterRates } from '../counter-rates';
import type { Measurement } from '../measurement';
import { ProcessTable } from '../process-table';
import { parseKernelStat } from '../procfs/kernel-stat';
import type { ProcReader } from '../procfs/proc-reader';
import type { Collector } from './collector';
import { counterSamples } from './counter-samples';

export interface ProcessesCollectorOptions {
  proc: ProcReader;
  everyMs: number;
  topN: number;
  maxEvents: number;
  userOf: (uid: string) => string;
  onEventsDropped?: (count: number) => void;
}

/**
 * system.process.count by system.process.status, system.process.created (processes forked since
 * boot, an OpenTelemetry counter) and its rate tidewatch.system.process.created_rate, and the
 * process records: the top N by CPU and by memory, plus start and exit events.
 */
export function processesCollector(o: ProcessesCollectorOptions): Collector {
  let table: ProcessTable | undefined;
  const forks = new CounterRates();
  return {
    name: 'processes',
    everyMs: o.everyMs,
    async collect(nowMs) {
      const stat = parseKernelStat(await o.proc.read('stat'));
      table ??= new ProcessTable({ ...o, bootTimeMs: stat.bootTimeSec * 1000 });
      const { counts, records } = await table.scan(nowMs);
      const samples: Measurement[] = Object.entries(counts).map(([status, value]) => ({
        metric: 'system.process.count',
        value,
        unit: '{process}',
        attributes: { 'system.process.status': status },
      }));
      samples.push(...counterSamples(forks, 'system.process.created', '{process}', stat.forks, nowMs));
      return { samples, processes: records };
    },
  };
}
