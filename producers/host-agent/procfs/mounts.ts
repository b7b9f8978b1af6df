export interface Mount {
  device: string;
  mountpoint: string;
  type: string;
  readOnly: boolean;
}

/** Pseudo and container-image filesystems that hold no user data (node_exporter's defaults). */
const PSEUDO_TYPES = new Set([
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devpts',
  'devtmpfs',
  'fusectl',
  'hugetlbfs',
  'iso9660',
  'mqueue',
  'nsfs',
  'overlay',
  'proc',
  'procfs',
  'pstore',
  'rpc_pipefs',
  'securityfs',
  'selinuxfs',
  'squashfs',
  'sysfs',
  'tracefs',
]);
const PSEUDO_MOUNTPOINTS =
  /^\/(dev|proc|run\/credentials\/.+|sys|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+)($|\/)/;

/** `\040` and friends: /proc/mounts escapes spaces, tabs, newlines and backslashes in octal. */
const unescape = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));

/** Parses /proc/mounts: the filesystems worth reporting, each mountpoint once (the last mount wins). */
export function parseMounts(text: string): Mount[] {
  const byMountpoint = new Map<string, Mount>();
  for (const line of text.split('\n')) {
    const [device, mountpoint, type, options] = line.split(' ');
    if (!device || !mountpoint || !type || PSEUDO_TYPES.has(type)) continue;
    const path = unescape(mountpoint);
    if (PSEUDO_MOUNTPOINTS.test(path)) continue;
    byMountpoint.set(path, {
      device: unescape(device),
      mountpoint: path,
      type,
      readOnly: (options ?? '').split(',').includes('ro'),
    });
  }
  return [...byMountpoint.values()];
}
