import type { Systeminformation } from 'systeminformation';
import type { Measurement } from '../measurement';

/**
 * system.memory.usage (bytes) and system.memory.utilization (ratio of 1) by system.memory.state.
 * "used" is what applications hold: total minus what the kernel could hand out now (available).
 */
export function memoryMeasurements(mem: Systeminformation.MemData): Measurement[] {
  const used = mem.total - mem.available;
  const states: [string, number][] = [
    ['used', used],
    ['free', mem.free],
    ['cached', mem.buffcache],
  ];
  const out: Measurement[] = [];
  for (const [state, bytes] of states) {
    out.push({
      metric: 'system.memory.usage',
      value: bytes,
      unit: 'By',
      attributes: { 'system.memory.state': state },
    });
  }
  if (mem.total > 0) {
    out.push({
      metric: 'system.memory.utilization',
      value: used / mem.total,
      unit: '1',
      attributes: { 'system.memory.state': 'used' },
    });
  }
  return out;
}
