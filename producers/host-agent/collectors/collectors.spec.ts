import path from 'node:path';
import { CounterRates } from '../counter-rates';
import type { Measurement } from '../measurement';
import { parseDiskstats } from '../procfs/diskstats';
import { parseKernelStat } from '../procfs/kernel-stat';
import { parseMeminfo } from '../procfs/meminfo';
import { parseMounts } from '../procfs/mounts';
import { parseNetDev } from '../procfs/net-dev';
import { parsePidStat } from '../procfs/pid-stat';
import { procReader } from '../procfs/proc-reader';
import { connectionsCollector } from './connections';
import { cpuCollector, cpuUtilization } from './cpu';
import { diskMeasurements } from './disk';
import { filesystemCollector, filesystemMeasurements } from './filesystem';
import { loadAverages } from './load';
import { memoryMeasurements } from './memory';
import { networkMeasurements } from './network';
import { processesCollector } from './processes';

// A copy of a real /proc, recorded on a 2-CPU Debian VM.
const proc = procReader(path.join(__dirname, '..', 'fixtures', 'proc'));
const by = (out: Measurement[], metric: string, attribute: string) =>
  Object.fromEntries(
    out.filter((m) => m.metric === metric).map((m) => [m.attributes?.[attribute] ?? '', m.value]),
  );

describe('cpu', () => {
  it('reads the aggregate and per-CPU lines of /proc/stat', async () => {
    const stat = parseKernelStat(await proc.read('stat'));
    expect(stat.cpu).toEqual({
      user: 9600,
      nice: 0,
      system: 7717,
      idle: 438866,
      iowait: 654,
      irq: 0,
      softirq: 564,
      steal: 0,
    });
    expect(stat).toMatchObject({ cpus: 2, bootTimeSec: 1795466081, forks: 7295, procsRunning: 1 });
  });

  it('turns two readings into utilization ratios, total and by cpu.mode, summing to 1', () => {
    const prev = { user: 100, nice: 0, system: 50, idle: 800, iowait: 20, irq: 5, softirq: 5, steal: 20 };
    const cur = { user: 140, nice: 0, system: 60, idle: 830, iowait: 30, irq: 5, softirq: 15, steal: 20 };
    const out = cpuUtilization(prev, cur); // 100 ticks elapsed
    expect(out[0]).toEqual({ metric: 'system.cpu.utilization', value: 0.6, unit: '1' });
    const modes = by(out.slice(1), 'system.cpu.utilization', 'cpu.mode');
    expect(modes).toEqual({
      user: 0.4,
      nice: 0,
      system: 0.1,
      idle: 0.3,
      iowait: 0.1,
      interrupt: 0.1,
      steal: 0,
    });
  });

  it('reports no utilization on the first reading or when a counter went backwards', async () => {
    const collector = cpuCollector(proc, 1000);
    const first = await collector.collect(0);
    expect(first.samples).toEqual([{ metric: 'system.cpu.logical.count', value: 2, unit: '{cpu}' }]);
    const t = { user: 10, nice: 0, system: 10, idle: 10, iowait: 0, irq: 0, softirq: 0, steal: 0 };
    expect(cpuUtilization(t, { ...t, user: 5, idle: 30 })).toEqual([]);
  });
});

describe('load and memory', () => {
  it('maps /proc/loadavg to the three load averages', () => {
    expect(loadAverages('1.34 0.57 0.24 2/180 8956\n').map((m) => [m.metric, m.value])).toEqual([
      ['system.cpu.load_average.1m', 1.34],
      ['system.cpu.load_average.5m', 0.57],
      ['system.cpu.load_average.15m', 0.24],
    ]);
  });

  it('reports used as total minus available, by state, with the utilization of used and no paging without swap', async () => {
    const info = parseMeminfo(await proc.read('meminfo'));
    const out = memoryMeasurements(info);
    const kib = 1024;
    expect(by(out, 'system.memory.usage', 'system.memory.state')).toEqual({
      used: (24683620 - 24077072) * kib,
      free: 23039448 * kib,
      buffers: 16440 * kib,
      cached: 1227656 * kib,
      slab_reclaimable: 148720 * kib,
    });
    expect(out.find((m) => m.metric === 'system.memory.utilization')!.value).toBeCloseTo(
      (24683620 - 24077072) / 24683620,
      12,
    );
    expect(out.some((m) => m.metric.startsWith('system.paging'))).toBe(false);
  });

  it('reports swap as system.paging.usage and utilization when there is swap', () => {
    const out = memoryMeasurements({ MemTotal: 1000, MemAvailable: 500, SwapTotal: 400, SwapFree: 300 });
    expect(by(out, 'system.paging.usage', 'system.paging.state')).toEqual({ used: 100, free: 300 });
    expect(out.find((m) => m.metric === 'system.paging.utilization')!.value).toBe(0.25);
  });
});

describe('filesystems', () => {
  it('keeps real filesystems and drops pseudo ones and /dev, /proc, /sys mounts', async () => {
    const mounts = parseMounts(await proc.read('mounts'));
    expect(mounts.map((m) => m.mountpoint)).toEqual(['/', '/mnt/sandboxing/model_tools_env/v1/python']);
    expect(mounts[0]).toEqual({ device: '/dev/vda', mountpoint: '/', type: 'ext4', readOnly: false });
    expect(mounts[1]!.readOnly).toBe(true);
    expect(parseMounts('/dev/sdb1 /mnt/my\\040disk ext4 rw 0 0')[0]!.mountpoint).toBe('/mnt/my disk');
  });

  it('splits statfs into used, free and reserved, and computes utilization as df does', () => {
    const mount = { device: '/dev/sda1', mountpoint: '/', type: 'ext4', readOnly: false };
    const out = filesystemMeasurements(mount, { bsize: 4096, blocks: 1000, bfree: 300, bavail: 250 });
    expect(by(out, 'system.filesystem.usage', 'system.filesystem.state')).toEqual({
      used: 700 * 4096,
      free: 250 * 4096,
      reserved: 50 * 4096,
    });
    expect(out.find((m) => m.metric === 'system.filesystem.utilization')).toMatchObject({
      value: 700 / 950,
      attributes: {
        'system.filesystem.mountpoint': '/',
        'system.device': '/dev/sda1',
        'system.filesystem.mode': 'rw',
      },
    });
  });

  it('skips a mount whose statfs fails and reports the others', async () => {
    const collector = filesystemCollector(proc, 1000, async (p) => {
      if (p === '/') throw new Error('EIO');
      return { bsize: 4096, blocks: 10, bfree: 5, bavail: 5 };
    });
    const out = await collector.collect(0);
    expect(new Set(out.samples.map((m) => m.attributes!['system.filesystem.mountpoint']))).toEqual(
      new Set(['/mnt/sandboxing/model_tools_env/v1/python']),
    );
  });
});

describe('disks and network', () => {
  it('reads whole disks from /proc/diskstats, without loop, ram or partition devices', async () => {
    const disks = parseDiskstats(await proc.read('diskstats'));
    expect(disks).toEqual([
      { device: 'vda', reads: 40902, readBytes: 1850106 * 512, writes: 27537, writtenBytes: 3553168 * 512 },
    ]);
    expect(parseDiskstats('   8       1 sda1 1 0 8 0 1 0 8 0 0 0 0').length).toBe(0);
    expect(parseDiskstats(' 259       0 nvme0n1 1 0 8 0 1 0 8 0 0 0 0')[0]!.device).toBe('nvme0n1');
  });

  it('publishes disk counters cumulative, and their rates per second from the second reading on', () => {
    const rates = new CounterRates();
    const disk = { device: 'sda', reads: 100, readBytes: 1000, writes: 10, writtenBytes: 5000 };
    const first = diskMeasurements([disk], rates, 0);
    expect(by(first, 'system.disk.io', 'disk.io.direction')).toEqual({ read: 1000, write: 5000 });
    expect(first.filter((m) => m.metric.startsWith('tidewatch.'))).toEqual([]);
    const out = diskMeasurements([{ ...disk, reads: 150, readBytes: 3000, writtenBytes: 5000 }], rates, 2000);
    expect(by(out, 'system.disk.io', 'disk.io.direction')).toEqual({ read: 3000, write: 5000 });
    expect(by(out, 'tidewatch.system.disk.io_rate', 'disk.io.direction')).toEqual({ read: 1000, write: 0 });
    expect(by(out, 'tidewatch.system.disk.operations_rate', 'disk.io.direction')).toEqual({
      read: 25,
      write: 0,
    });
    expect(out.find((m) => m.metric === 'tidewatch.system.disk.io_rate')!.unit).toBe('By/s');
    expect(out.find((m) => m.metric === 'system.disk.io')!.unit).toBe('By');
  });

  it('reads bytes, packets, errors and drops per interface from /proc/net/dev', async () => {
    const ifaces = parseNetDev(await proc.read('net/dev'));
    expect(ifaces.map((i) => i.iface)).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    expect(ifaces[3]).toEqual({
      iface: 'eth0',
      receive: { bytes: 319640128, packets: 10236, errors: 0, dropped: 0 },
      transmit: { bytes: 810841, packets: 5882, errors: 0, dropped: 0 },
    });
  });

  it('reports network rates by interface and direction, and a counter reset as a restart from zero', () => {
    const rates = new CounterRates();
    const iface = (rx: number) => ({
      iface: 'eth0',
      receive: { bytes: rx, packets: 10, errors: 0, dropped: 0 },
      transmit: { bytes: 0, packets: 0, errors: 0, dropped: 0 },
    });
    networkMeasurements([iface(10_000)], rates, 0);
    const up = networkMeasurements([iface(30_000)], rates, 1000);
    expect(
      up.find(
        (m) =>
          m.metric === 'tidewatch.system.network.io_rate' &&
          m.attributes!['network.io.direction'] === 'receive',
      )!.value,
    ).toBe(20_000);
    // The interface was re-created: its counter starts again at 0 and now reads 500.
    const reset = networkMeasurements([iface(500)], rates, 2000);
    expect(
      reset.find(
        (m) =>
          m.metric === 'tidewatch.system.network.io_rate' &&
          m.attributes!['network.io.direction'] === 'receive',
      )!.value,
    ).toBe(500);
    expect(reset.every((m) => m.value >= 0)).toBe(true);
    expect(rates.resets).toBe(1);
  });

  it('forgets the counters of an interface that went away', () => {
    const rates = new CounterRates();
    const iface = (name: string) => ({
      iface: name,
      receive: { bytes: 1, packets: 1, errors: 0, dropped: 0 },
      transmit: { bytes: 1, packets: 1, errors: 0, dropped: 0 },
    });
    networkMeasurements([iface('eth0'), iface('veth1')], rates, 0);
    expect(rates.size).toBe(16);
    networkMeasurements([iface('eth0')], rates, 1000);
    expect(rates.size).toBe(8);
  });

  it('counts TCP connections by state over IPv4 and IPv6, every state present', async () => {
    const out = await connectionsCollector(proc, 1000).collect(0);
    const states = by(out.samples, 'system.network.connection.count', 'network.connection.state');
    expect(Object.keys(states)).toHaveLength(11);
    expect(states).toMatchObject({ listen: 11, established: 2, time_wait: 2, close_wait: 0 });
  });
});

describe('processes', () => {
  it('parses /proc/<pid>/stat, names with spaces and parentheses included', () => {
    const stat = parsePidStat(
      '42 (my (odd) name) R 1 42 42 0 -1 0 0 0 0 0 250 50 0 0 20 0 1 0 1000 123 77 0',
    );
    expect(stat).toEqual({
      pid: 42,
      name: 'my (odd) name',
      state: 'R',
      ppid: 1,
      cpuTicks: 300,
      startTicks: 1000,
      rssPages: 77,
    });
  });

  it('counts processes by state and reports the top by memory with command line and user', async () => {
    const collector = processesCollector({
      proc,
      everyMs: 1000,
      topN: 1,
      maxEvents: 10,
      userOf: (uid) => (uid === '0' ? 'root' : `u${uid}`),
    });
    const out = await collector.collect(1_795_466_500_000);
    expect(by(out.samples, 'system.process.count', 'system.process.status')).toMatchObject({
      sleeping: 2,
      running: 0,
    });
    expect(out.processes).toEqual([
      expect.objectContaining({
        kind: 'snapshot',
        pid: 1,
        name: 'process_api',
        command: '/sbin/init',
        user: 'root',
        rss: 2266 * 4096,
        rank_memory: 1,
        rank_cpu: 0,
        start_time: 1_795_466_081_190,
      }),
    ]);
  });

  it('reports CPU used between scans, and start and exit events, bounded per scan', async () => {
    const tables: Record<string, string>[] = [
      {
        '1': '1 (init) S 0 1 1 0 -1 0 0 0 0 0 100 0 0 0 20 0 1 0 10 0 100 0',
        '2': '2 (old) S 1 2 2 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 20 0 50 0',
      },
      {
        '1': '1 (init) S 0 1 1 0 -1 0 0 0 0 0 150 0 0 0 20 0 1 0 10 0 100 0',
        '3': '3 (new) R 1 3 3 0 -1 0 0 0 0 0 100 0 0 0 20 0 1 0 500 0 10 0',
        '4': '4 (new2) R 1 4 4 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 501 0 10 0',
      },
    ];
    let scan = 0;
    const fake = {
      root: '',
      read: async () => 'btime 1000\nprocesses 10\n',
      list: async () => Object.keys(tables[scan]!),
      readIfExists: async (file: string) => {
        const [pid, name] = file.split('/');
        return name === 'stat' ? tables[scan]![pid!] : 'Uid:\t0\n';
      },
      readSlow: async (file: string) => `cmd-${file.split('/')[0]}`,
    };
    const dropped: number[] = [];
    const collector = processesCollector({
      proc: fake,
      everyMs: 1000,
      topN: 5,
      maxEvents: 2,
      userOf: () => 'root',
      onEventsDropped: (n) => dropped.push(n),
    });
    await collector.collect(10_000);
    scan = 1;
    const out = await collector.collect(12_000);
    const snapshot = out.processes!.filter((p) => p.kind === 'snapshot');
    // init used 50 ticks (0.5 s) in 2 s; the new process 100 ticks since it started.
    expect(snapshot.find((p) => p.pid === 1)!.cpu).toBeCloseTo(0.25, 12);
    expect(snapshot.find((p) => p.pid === 3)).toMatchObject({ cpu: 0.5, rank_cpu: 1 });
    expect(out.processes!.filter((p) => p.kind !== 'snapshot').map((p) => [p.kind, p.pid])).toEqual([
      ['start', 3],
      ['start', 4],
    ]);
    expect(dropped).toEqual([1]); // the exit of pid 2 was over the limit of 2 events
    expect(out.samples.find((m) => m.metric === 'system.process.created')!.value).toBe(10); // forks since boot
    expect(out.samples.find((m) => m.metric === 'tidewatch.system.process.created_rate')!.value).toBe(0); // did not move
  });
});
