import fs from 'node:fs';
import { procReader } from '../procfs/proc-reader';
import { userNames } from '../procfs/users';
import type { Collector } from './collector';
import { connectionsCollector } from './connections';
import { cpuCollector } from './cpu';
import { diskCollector } from './disk';
import { filesystemCollector } from './filesystem';
import { inventoryCollector } from './inventory';
import { loadCollector } from './load';
import { memoryCollector } from './memory';
import { networkCollector } from './network';
import { portableCollector } from './portable';
import { processesCollector } from './processes';
import { uptimeCollector } from './uptime';

export type { Collected, Collector } from './collector';
export { cpuUtilization } from './cpu';
export { diskMeasurements } from './disk';
export { filesystemMeasurements } from './filesystem';
export { loadAverages } from './load';
export { memoryMeasurements } from './memory';
export { networkMeasurements } from './network';

export interface CollectorSettings {
  intervalMs: number;
  processesIntervalMs: number;
  connectionsIntervalMs: number;
  topProcesses: number;
  maxProcessEvents: number;
  procRoot?: string;
  onProcessEventsDropped?: (count: number) => void;
}

/** The collectors for this host: everything /proc offers on Linux, the portable set elsewhere. */
export function hostCollectors(s: CollectorSettings): Collector[] {
  const root = s.procRoot ?? '/proc';
  const inventory = inventoryCollector(Math.max(s.intervalMs, 60_000));
  if (!fs.existsSync(`${root}/stat`)) return [portableCollector(s.intervalMs), inventory];
  const proc = procReader(root);
  return [
    cpuCollector(proc, s.intervalMs),
    loadCollector(proc, s.intervalMs),
    memoryCollector(proc, s.intervalMs),
    uptimeCollector(proc, s.intervalMs),
    diskCollector(proc, s.intervalMs),
    networkCollector(proc, s.intervalMs),
    filesystemCollector(proc, s.intervalMs),
    connectionsCollector(proc, s.connectionsIntervalMs),
    processesCollector({
      proc,
      everyMs: s.processesIntervalMs,
      topN: s.topProcesses,
      maxEvents: s.maxProcessEvents,
      userOf: userNames(),
      onEventsDropped: s.onProcessEventsDropped,
    }),
    inventory,
  ];
}
