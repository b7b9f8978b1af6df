export interface DiskCounters {
  device: string;
  reads: number;
  readBytes: number;
  writes: number;
  writtenBytes: number;
}

/** Partitions, RAM and loop devices: their I/O is already counted on the whole disk, or is not disk I/O. */
const IGNORED = /^(z?ram|loop|fd|(h|s|v|xv)d[a-z]+\d+|nvme\d+n\d+p\d+|mmcblk\d+p\d+|dm-\d+|sr\d+)/;
const SECTOR = 512;

/** Parses /proc/diskstats: completed operations and bytes per whole disk, read and write. */
export function parseDiskstats(text: string): DiskCounters[] {
  const out: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || IGNORED.test(f[2]!)) continue;
    out.push({
      device: f[2]!,
      reads: Number(f[3]),
      readBytes: Number(f[5]) * SECTOR,
      writes: Number(f[7]),
      writtenBytes: Number(f[9]) * SECTOR,
    });
  }
  return out;
}
