import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Measurement } from '../measurement';
import { parseKernelStat } from '../procfs/kernel-stat';
import { parseMeminfo } from '../procfs/meminfo';
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

export interface InventorySources {
  /** The host's /proc (cpuinfo, meminfo, stat). */
  procRoot?: string;
  /** The host's root filesystem, where its os-release is (a container's own is the image's). */
  hostRoot?: string;
}

/** More than any os-release or cpuinfo holds (a 512-CPU host's cpuinfo is ~700 kB): read no further. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** A value longer than this is cut (attributes are labels, not documents). */
const MAX_VALUE = 256;

/**
 * What the host is, from the files the kernel and the distribution keep (the portable os module
 * where they are missing): /etc/os-release, /proc/cpuinfo, /proc/meminfo, /proc/stat. No child
 * process and no probing library: the whole read is four small files.
 */
export async function readInventory(nowMs: number, sources: InventorySources = {}): Promise<Inventory> {
  const proc = sources.procRoot ?? '/proc';
  const etc = sources.hostRoot ?? '/';
  const release = parseOsRelease(
    readBounded(path.join(etc, 'etc/os-release')) ?? readBounded(path.join(etc, 'usr/lib/os-release')) ?? '',
  );
  const cpus = parseCpuinfo(readBounded(path.join(proc, 'cpuinfo')) ?? '');
  const memTotal = parseMeminfo(readBounded(path.join(proc, 'meminfo')) ?? '').MemTotal;
  const stat = readBounded(path.join(proc, 'stat'));
  const bootSec = stat === undefined ? 0 : parseKernelStat(stat).bootTimeSec;
  const bootMs = bootSec > 0 ? bootSec * 1000 : nowMs - os.uptime() * 1000;
  return {
    'os.type': os.platform(),
    'os.description': clip(
      [release.NAME, release.VERSION_ID].filter(Boolean).join(' ') || `${os.type()} ${os.release()}`,
    ),
    'os.version': clip(os.release()),
    'host.arch': os.arch(),
    'host.cpu.model.name': clip(cpus.model || (os.cpus()[0]?.model ?? '').trim()),
    'host.cpu.cores': String(cpus.count || os.cpus().length),
    'host.memory.total': String(memTotal || os.totalmem()),
    'host.boot.time': new Date(Math.floor(bootMs / 1000) * 1000).toISOString().slice(0, 19) + 'Z',
  };
}

/**
 * Parses os-release(5): `KEY=value` lines, the value optionally in double or single quotes with
 * backslash escapes; comments and malformed lines are skipped.
 */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let value = m[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote))
      value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    out[m[1]!] = clip(value);
  }
  return out;
}

/**
 * Parses /proc/cpuinfo: the logical CPUs (`processor` entries) and the model name as the kernel
 * gives it (x86's `model name`; ARM's `Model` or `Hardware`; POWER's `cpu`), empty when none.
 */
export function parseCpuinfo(text: string): { count: number; model: string } {
  let count = 0;
  const names: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    if (key === 'processor') count++;
    else if (['model name', 'Model', 'Hardware', 'cpu'].includes(key) && !(key in names))
      names[key] = line.slice(colon + 1).trim();
  }
  const model = names['model name'] || names.Model || names.Hardware || names.cpu || '';
  return { count, model: clip(model) };
}

const clip = (s: string) => s.slice(0, MAX_VALUE);

function readBounded(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined; // not on this system (no os-release in a scratch image, no /proc off Linux)
  }
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    const parts: Buffer[] = [];
    let total = 0;
    for (let n; total < MAX_FILE_BYTES && (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; total += n)
      parts.push(Buffer.from(buf.subarray(0, n)));
    return Buffer.concat(parts).toString('utf8');
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
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
  read: (nowMs: number) => Promise<Inventory> = (nowMs) => readInventory(nowMs),
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
