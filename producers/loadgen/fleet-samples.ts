import type { MetricSample } from '../../schemas';

export interface FleetOptions {
  hosts: number;
  seriesPerHost: number;
  /** Each series is sampled once per interval. */
  intervalMs: number;
  /** Event time of the first round (before each host's phase and clock offset). */
  start: number;
  /** Largest clock offset of a host, either way (hosts' clocks are slightly off). */
  clockJitterMs?: number;
  boot?: number;
}

interface Family {
  metric: string;
  unit: string;
  base: number;
  noise: number;
  ratio?: boolean;
  /** The attributes of this family's k-th series on a host. */
  attributes: (k: number) => Record<string, string>;
}

const CPU_MODES = ['user', 'system', 'idle', 'iowait', 'nice', 'irq', 'softirq', 'steal'];
const MEMORY_STATES = ['used', 'free', 'cached', 'buffered'];
const DIRECTIONS = ['receive', 'transmit'];
const DISK_DIRECTIONS = ['read', 'write'];
const CONNECTION_STATES = ['established', 'time_wait', 'close_wait', 'listen', 'syn_sent'];
const PROCESS_STATUSES = ['running', 'sleeping', 'stopped', 'zombie'];
const LOADS = ['1m', '5m', '15m'];

const pick = (list: string[], k: number) => list[k % list.length]!;
const nth = (k: number, per: number) => String(Math.floor(k / per));

/** Series of the kinds the host agent emits; a host's k-th series of a family varies its attributes. */
const FAMILIES: Family[] = [
  {
    metric: 'system.cpu.utilization',
    unit: '1',
    base: 0.2,
    noise: 0.3,
    ratio: true,
    attributes: (k) => ({ 'cpu.mode': pick(CPU_MODES, k), 'cpu.logical_number': nth(k, CPU_MODES.length) }),
  },
  {
    metric: 'system.memory.usage',
    unit: 'By',
    base: 4e9,
    noise: 0.02,
    attributes: (k) =>
      k < MEMORY_STATES.length
        ? ({ 'system.memory.state': pick(MEMORY_STATES, k) } as Record<string, string>)
        : { 'system.memory.state': pick(MEMORY_STATES, k), 'numa.node': nth(k, MEMORY_STATES.length) },
  },
  {
    metric: 'system.filesystem.utilization',
    unit: '1',
    base: 0.5,
    noise: 0.001,
    ratio: true,
    attributes: (k) => ({ 'system.filesystem.mountpoint': k ? `/mnt/data${k}` : '/' }),
  },
  {
    metric: 'tidewatch.system.network.io_rate',
    unit: 'By/s',
    base: 2e6,
    noise: 0.4,
    attributes: (k) => ({
      'network.interface.name': `eth${nth(k, 2)}`,
      'network.io.direction': pick(DIRECTIONS, k),
    }),
  },
  {
    metric: 'tidewatch.system.disk.io_rate',
    unit: 'By/s',
    base: 4e6,
    noise: 0.5,
    attributes: (k) => ({
      'system.device': `sd${String.fromCharCode(97 + (Math.floor(k / 2) % 26))}${Math.floor(k / 52) || ''}`,
      'disk.io.direction': pick(DISK_DIRECTIONS, k),
    }),
  },
  {
    metric: 'system.cpu.load_average',
    unit: '{thread}',
    base: 1.2,
    noise: 0.2,
    attributes: () => ({}),
  },
  {
    metric: 'system.network.connection.count',
    unit: '{connection}',
    base: 300,
    noise: 0.1,
    attributes: (k) => ({
      'network.connection.state': pick(CONNECTION_STATES, k),
      'network.transport': nth(k, 5),
    }),
  },
  {
    metric: 'system.process.count',
    unit: '{process}',
    base: 250,
    noise: 0.05,
    attributes: (k) => ({ 'system.process.status': pick(PROCESS_STATUSES, k), group: nth(k, 4) }),
  },
];

interface Series {
  metric: string;
  unit: string;
  base: number;
  noise: number;
  ratio: boolean;
  attributes: Record<string, string>;
}

/** A deterministic hash of two numbers to [0, 1). */
const unit = (a: number, b: number) => {
  const x = Math.sin(a * 12.9898 + b * 78.233) * 43758.5453;
  return x - Math.floor(x);
};

/** The `n` series every fleet host has: families taken in turn, each series with attributes of its own. */
export function fleetSeries(n: number): Series[] {
  const out: Series[] = [];
  const taken = new Array<number>(FAMILIES.length).fill(0);
  for (let i = 0; out.length < n; i++) {
    const f = i % FAMILIES.length;
    const family = FAMILIES[f]!;
    const k = taken[f]!++;
    // the load average has three series (1m, 5m, 15m) and no attributes
    const metric =
      family.metric === 'system.cpu.load_average' ? `${family.metric}.${pick(LOADS, k)}` : family.metric;
    if (family.metric === 'system.cpu.load_average' && k >= LOADS.length) continue;
    out.push({ ...family, metric, ratio: family.ratio ?? false, attributes: family.attributes(k) });
  }
  return out;
}

/**
 * A fleet as it reports: `hosts` hosts × `seriesPerHost` series, each series sampled once per
 * interval. Each host reports at its own phase within the interval, its clock a little off (a
 * fixed offset within ±`clockJitterMs`) and each report a few ms late or early. `round(r)` is
 * every host's report for interval r, host after host, each host's samples together (as one agent
 * batch); ids are `host:boot:seq` as the agent's. Deterministic.
 */
export function fleetSamples(o: FleetOptions): { perRound: number; round: (r: number) => MetricSample[] } {
  const series = fleetSeries(o.seriesPerHost);
  const boot = o.boot ?? 1;
  const jitter = o.clockJitterMs ?? 500;
  const hosts = Array.from({ length: o.hosts }, (_, h) => ({
    name: `fleet-${String(h).padStart(5, '0')}`,
    offset: Math.floor(unit(h, 3) * o.intervalMs) + Math.round((2 * unit(h, 4) - 1) * jitter),
    level: 0.5 + unit(h, 5),
  }));
  return {
    perRound: o.hosts * series.length,
    round: (r) => {
      const out: MetricSample[] = new Array(o.hosts * series.length);
      let i = 0;
      for (let h = 0; h < hosts.length; h++) {
        const host = hosts[h]!;
        const ts = o.start + r * o.intervalMs + host.offset + Math.round(20 * unit(h, r));
        for (let s = 0; s < series.length; s++) {
          const one = series[s]!;
          const value = one.base * host.level * (1 + one.noise * (2 * unit(i, r) - 1));
          out[i++] = {
            event_id: `${host.name}:${boot}:${r * series.length + s}`,
            host: host.name,
            ts,
            metric: one.metric,
            value: one.ratio ? Math.min(1, value) : value,
            unit: one.unit,
            attributes: one.attributes,
          };
        }
      }
      return out;
    },
  };
}
