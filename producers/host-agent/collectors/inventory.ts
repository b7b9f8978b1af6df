import os from 'node:os';
import si from 'systeminformation';
import type { Measurement } from '../measurement';
import type { Collector } from './collector';

export interface Inventory {
  'os.type': string;
  'os.description': string;
  'os.version': string;
  'host.arch': string;
  'host.cpu.model.name': string;
  'host.cpu.cores': string;
  'host.memory.total': string;
  'host.boot.time': string;
}

/** What the host is, read with systeminformation (its OS and CPU probes are worth their cost once). */
export async function readInventory(nowMs: number): Promise<Inventory> {
  const [osInfo, cpu] = await Promise.all([si.osInfo(), si.cpu()]);
  return {
    'os.type': osInfo.platform,
    'os.description': [osInfo.distro, osInfo.release].filter(Boolean).join(' '),
    'os.version': osInfo.kernel,
    'host.arch': osInfo.arch,
    'host.cpu.model.name': [cpu.manufacturer, cpu.brand].filter(Boolean).join(' '),
    'host.cpu.cores': String(cpu.cores),
    'host.memory.total': String(os.totalmem()),
    'host.boot.time': new Date(nowMs - os.uptime() * 1000).toISOString().slice(0, 19) + 'Z',
  };
}

/** Cheap to read every round: when any of these changes, the inventory is read again. */
const fingerprint = () => [os.release(), os.hostname(), os.cpus().length, os.totalmem()].join('|');

/**
 * tidewatch.host.info (value 1, the inventory in its attributes, like Prometheus' *_info metrics):
 * at start (a reboot restarts the agent), whenever the kernel, host name, CPU count or memory size
 * changes, and once an hour so a consumer that starts later sees it soon.
 */
export function inventoryCollector(
  everyMs: number,
  read: (nowMs: number) => Promise<Inventory> = readInventory,
  refreshMs = 3_600_000,
): Collector {
  let last: { print: string; ms: number } | undefined;
  // A read that finished after the collection stopped waiting (a loaded host): published next round.
  let late: { inventory: Inventory; print: string } | undefined;
  return {
    name: 'inventory',
    everyMs,
    async collect(nowMs, abandoned) {
      const print = fingerprint();
      if (late?.print === print) {
        const { inventory } = late;
        late = undefined;
        last = { print, ms: nowMs };
        return { samples: [infoSample(inventory)] };
      }
      if (last && last.print === print && nowMs - last.ms < refreshMs) return { samples: [] };
      const inventory = await read(nowMs);
      if (abandoned?.aborted) {
        late = { inventory, print };
        return { samples: [] };
      }
      last = { print, ms: nowMs };
      return { samples: [infoSample(inventory)] };
    },
  };
}

const infoSample = (inventory: Inventory): Measurement => ({
  metric: 'tidewatch.host.info',
  value: 1,
  unit: '1',
  attributes: { ...inventory },
});
