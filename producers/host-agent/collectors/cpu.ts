import type { Systeminformation } from 'systeminformation';
import type { Measurement } from '../measurement';

const MODES: [keyof Systeminformation.CurrentLoadData, string][] = [
  ['currentLoadUser', 'user'],
  ['currentLoadSystem', 'system'],
  ['currentLoadNice', 'nice'],
  ['currentLoadIrq', 'interrupt'],
  ['currentLoadSteal', 'steal'],
  ['currentLoadIdle', 'idle'],
];

/** system.cpu.utilization as a ratio of 1: the total, and by cpu.mode. */
export function cpuMeasurements(load: Systeminformation.CurrentLoadData): Measurement[] {
  const out: Measurement[] = [{ metric: 'system.cpu.utilization', value: load.currentLoad / 100, unit: '1' }];
  for (const [field, mode] of MODES) {
    const percent = load[field];
    if (typeof percent === 'number' && Number.isFinite(percent)) {
      out.push({
        metric: 'system.cpu.utilization',
        value: percent / 100,
        unit: '1',
        attributes: { 'cpu.mode': mode },
      });
    }
  }
  return out;
}
