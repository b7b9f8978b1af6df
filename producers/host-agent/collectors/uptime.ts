import type { ProcReader } from '../procfs/proc-reader';
import type { Collector } from './collector';

/** system.uptime in seconds, from /proc/uptime. */
export function uptimeCollector(proc: ProcReader, everyMs: number): Collector {
  return {
    name: 'uptime',
    everyMs,
    async collect() {
      const seconds = Number((await proc.read('uptime')).trim().split(/\s+/)[0]);
      return {
        samples: Number.isFinite(seconds) ? [{ metric: 'system.uptime', value: seconds, unit: 's' }] : [],
      };
    },
  };
}
