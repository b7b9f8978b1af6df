import si from 'systeminformation';
import type { Measurement } from '../measurement';
import { cpuMeasurements } from './cpu';
import { memoryMeasurements } from './memory';

export { cpuMeasurements, memoryMeasurements };

/** Reads this host once: CPU and memory. */
export async function collectHost(): Promise<Measurement[]> {
  const [load, mem] = await Promise.all([si.currentLoad(), si.mem()]);
  return [...cpuMeasurements(load), ...memoryMeasurements(mem)];
}
