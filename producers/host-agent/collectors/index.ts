import fs from 'node:fs';
import path from 'node:path';
import { procReader } from '../procfs/proc-reader';
import { userNames } from '../procfs/users';
import type { Collector } from './collector';
import { connectionsCollector } from './connections';
import { cpuCollector } from './cpu';
import { diskCollector } from './disk';
import { filesystemCollector } from './filesystem';
import { inventoryCollector, readInventory } from './inventory';
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
export { counterSamples, rateName } from './counter-samples';
export { CUMULATIVE_COUNTERS, SEMANTIC_CONVENTIONS } from './semantic-conventions';
export type { Instrument, MetricConvention } from './semantic-conventions';

export interface CollectorSettings {
  intervalMs: number;
  processesIntervalMs: number;
  connectionsIntervalMs: number;
  topProcesses: number;
  maxProcessEvents: number;
  /** The host's /proc (default /proc; /host/proc from a container). */
  procRoot?: string;
  /** The host's root filesystem mounted in a container (e.g. /host): filesystems and users are read there. */
  hostRoot?: string;
  onProcessEventsDropped?: (count: number) => void;
}

/** The collectors for this host: everything /proc offers on Linux, the portable set elsewhere. */
export function hostCollectors(s: CollectorSettings): Collector[] {
  const root = s.procRoot ?? '/proc';
  const hostRoot = s.hostRoot;
  const inventory = inventoryCollector(Math.max(s.intervalMs, 60_000), (nowMs) =>
    readInventory(nowMs, { procRoot: root, hostRoot }),
  );
  if (!fs.existsSync(`${root}/stat`)) return [portableCollector(s.intervalMs), inventory];
  const proc = procReader(root);
  return [
    cpuCollector(proc, s.intervalMs),
    loadCollector(proc, s.intervalMs),
    memoryCollector(proc, s.intervalMs),
    uptimeCollector(proc, s.intervalMs),
    diskCollector(proc, s.intervalMs),
    networkCollector(proc, s.intervalMs),
    hostRoot === undefined
      ? filesystemCollector(proc, s.intervalMs)
      : // The host's mounts are init's (this process's are the container's), measured under hostRoot.
        filesystemCollector(
          proc,
          s.intervalMs,
          (p) => fs.promises.statfs(path.join(hostRoot, p)),
          '1/mounts',
        ),
    connectionsCollector(proc, s.connectionsIntervalMs),
    processesCollector({
      proc,
      everyMs: s.processesIntervalMs,
      topN: s.topProcesses,
      maxEvents: s.maxProcessEvents,
      userOf: userNames(path.join(hostRoot ?? '/', 'etc/passwd')),
      onEventsDropped: s.onProcessEventsDropped,
    }),
    inventory,
  ];
}
