import { CounterRates } from '../counter-rates';
import type { Measurement } from '../measurement';
import { parseNetDev, type DirectionCounters, type InterfaceCounters } from '../procfs/net-dev';
import type { ProcReader } from '../procfs/proc-reader';
import type { Collector } from './collector';
import { counterSamples } from './counter-samples';

const SERIES: [string, string, keyof DirectionCounters][] = [
  ['system.network.io', 'By', 'bytes'],
  ['system.network.packet.count', '{packet}', 'packets'],
  ['system.network.errors', '{error}', 'errors'],
  ['system.network.packet.dropped', '{packet}', 'dropped'],
];

/**
 * Bytes, packets, errors and drops by network.interface.name and network.io.direction: cumulative
 * OpenTelemetry counters (since the interface appeared), and their per-second rates under
 * tidewatch.<counter>_rate.
 */
export function networkMeasurements(
  interfaces: readonly InterfaceCounters[],
  rates: CounterRates,
  ms: number,
): Measurement[] {
  const out: Measurement[] = [];
  for (const i of interfaces) {
    for (const direction of ['receive', 'transmit'] as const) {
      for (const [metric, unit, field] of SERIES)
        out.push(
          ...counterSamples(rates, metric, unit, i[direction][field], ms, {
            'network.interface.name': i.iface,
            'network.io.direction': direction,
          }),
        );
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
