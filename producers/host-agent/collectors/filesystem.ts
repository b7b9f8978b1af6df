import fs from 'node:fs/promises';
import type { Measurement } from '../measurement';
import { parseMounts, type Mount } from '../procfs/mounts';
import type { ProcReader } from '../procfs/proc-reader';
import type { Collector } from './collector';

export interface FsSpace {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
}

/**
 * system.filesystem.usage (bytes) by state — used, free (what an unprivileged user can still
 * write) and reserved (for root) — and system.filesystem.utilization = used / (used + free), the
 * figure `df` prints as Use%.
 */
export function filesystemMeasurements(mount: Mount, space: FsSpace): Measurement[] {
  const attributes = {
    'system.device': mount.device,
    'system.filesystem.mountpoint': mount.mountpoint,
    'system.filesystem.type': mount.type,
    'system.filesystem.mode': mount.readOnly ? 'ro' : 'rw',
  };
  const used = (space.blocks - space.bfree) * space.bsize;
  const free = space.bavail * space.bsize;
  const reserved = (space.bfree - space.bavail) * space.bsize;
  const out: Measurement[] = (
    [
      ['used', used],
      ['free', free],
      ['reserved', reserved],
    ] as const
  ).map(([state, value]) => ({
    metric: 'system.filesystem.usage',
    value,
    unit: 'By',
    attributes: { ...attributes, 'system.filesystem.state': state },
  }));
  if (used + free > 0) {
    out.push({ metric: 'system.filesystem.utilization', value: used / (used + free), unit: '1', attributes });
  }
  return out;
}

/** Every real filesystem in /proc/mounts (or `mountsFile` under the proc root), measured with statfs(2). A mount that fails to answer is skipped. */
export function filesystemCollector(
  proc: ProcReader,
  everyMs: number,
  statfs: (path: string) => Promise<FsSpace> = (p) => fs.statfs(p),
  mountsFile = 'mounts',
): Collector {
  return {
    name: 'filesystem',
    everyMs,
    async collect() {
      const mounts = parseMounts(await proc.read(mountsFile));
      const spaces = await Promise.allSettled(mounts.map((m) => statfs(m.mountpoint)));
      const samples: Measurement[] = [];
      spaces.forEach((space, i) => {
        if (space.status === 'fulfilled' && space.value.blocks > 0)
          samples.push(...filesystemMeasurements(mounts[i]!, space.value));
      });
      return { samples };
    },
  };
}
