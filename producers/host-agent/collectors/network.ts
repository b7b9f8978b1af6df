import { CounterRates } from '../counter-rates';
import type { Measurement } from '../measurement';
import { parseNetDev, type DirectionCounters, type InterfaceCounters } from '../procfs/net-dev';
import type { ProcReader } from '../procfs/proc-reader';
import type { Collector } from './collector';

const SERIES: [string, string, keyof DirectionCounters][] = [
  ['system.network.io', 'By/s', 'bytes'],
  ['system.network.packet.count', '{packet}/s', 'packets'],
  ['system.network.errors', '{error}/s', 'errors'],
  ['system.network.packet.dropped', '{packet}/s', 'dropped'],
];

/** Per-second rates of bytes, packets, errors and drops, by network.interface.name and network.io.direction. */
export function networkMeasurements(
  interfaces: readonly InterfaceCounters[],
  rates: CounterRates,
  ms: number,
): Measurement[] {
  const out: Measurement[] = [];
  for (const i of interfaces) {
    for (const direction of ['receive', 'transmit'] as const) {
      for (const [metric, unit, field] of SERIES) {
        const value = rates.rate(`${metric}|${i.iface}|${direction}`, i[direction][field], ms);
        if (value !== undefined)
          out.push({
            metric,
            value,
            unit,
            attributes: { 'network.interface.name': i.iface, 'network.io.direction': direction },
          });
      }
    }
  }
  rates.sweep();
  return out;
}

export function networkCollector(proc: ProcReader, everyMs: number, rates = new CounterRates()): Collector {
  return {
    name: 'network',
    everyMs,
    async collect(nowMs) {
      return { samples: networkMeasurements(parseNetDev(await proc.read('net/dev')), rates, nowMs) };
    },
  };
}
