import type { MetricSample } from '../../schemas';

interface Shape {
  metric: string;
  unit: string;
  attributes: Record<string, string>;
  /** Typical level. */
  base: number;
  /** Daily cycle: ± this fraction of the level over 24 h (busy afternoons, quiet nights). */
  daily: number;
  /** Sample-to-sample noise: ± this fraction. */
  noise: number;
  /** Level multiplier while the host is in a burst. */
  burst: number;
  /** Ratios stay in [0, 1]. */
  ratio?: boolean;
}

const SHAPES: Shape[] = [
  {
    metric: 'system.cpu.utilization',
    unit: '1',
    attributes: {},
    base: 0.3,
    daily: 0.5,
    noise: 0.15,
    burst: 2.8,
    ratio: true,
  },
  {
    metric: 'system.memory.utilization',
    unit: '1',
    attributes: { 'system.memory.state': 'used' },
    base: 0.55,
    daily: 0.1,
    noise: 0.02,
    burst: 1.3,
    ratio: true,
  },
  {
    metric: 'system.memory.usage',
    unit: 'By',
    attributes: { 'system.memory.state': 'used' },
    base: 8e9,
    daily: 0.1,
    noise: 0.02,
    burst: 1.3,
  },
  {
    metric: 'system.cpu.load_average.1m',
    unit: '{thread}',
    attributes: {},
    base: 1.2,
    daily: 0.6,
    noise: 0.2,
    burst: 3,
  },
  {
    metric: 'tidewatch.system.network.io_rate',
    unit: 'By/s',
    attributes: { 'network.interface.name': 'eth0', 'network.io.direction': 'receive' },
    base: 2e6,
    daily: 0.7,
    noise: 0.3,
    burst: 5,
  },
  {
    metric: 'tidewatch.system.disk.io_rate',
    unit: 'By/s',
    attributes: { 'system.device': 'sda', 'disk.io.direction': 'write' },
    base: 4e6,
    daily: 0.4,
    noise: 0.5,
    burst: 4,
  },
];

const DAY_MS = 86_400_000;
const BURST_SLOT_MS = 5 * 60_000;
/** Share of 5-minute slots in which a host is in a burst (a deploy, a batch job, a traffic spike). */
const BURST_SHARE = 0.03;

/** A deterministic hash of two numbers to [0, 1). */
const unit = (a: number, b: number) => {
  const x = Math.sin(a * 12.9898 + b * 78.233) * 43758.5453;
  return x - Math.floor(x);
};

/**
 * Deterministic synthetic samples for `hosts` hosts that look like real machines: each series has
 * a daily cycle (each host at its own phase and amplitude), noise, and now and then a burst where
 * the host's load jumps for a few minutes. Hosts take turns through their series, so any total
 * rate spreads evenly. Same schema and ids (`host:boot:seq`) as the agent.
 */
export function syntheticSamples(hosts: number, boot: number) {
  let seq = 0;
  let cursor = 0;
  return (count: number, ts: number): MetricSample[] => {
    const out: MetricSample[] = new Array(count);
    const slot = Math.floor(ts / BURST_SLOT_MS);
    for (let i = 0; i < count; i++, cursor++) {
      const hostIndex = cursor % hosts;
      const shape = SHAPES[Math.floor(cursor / hosts) % SHAPES.length]!;
      const host = `loadgen-${String(hostIndex).padStart(4, '0')}`;
      const phase = unit(hostIndex, 1) * 2 * Math.PI;
      const amplitude = shape.daily * (0.5 + unit(hostIndex, 2));
      const daily = 1 + amplitude * Math.sin((2 * Math.PI * ts) / DAY_MS + phase);
      const noise = 1 + shape.noise * (2 * unit(cursor, ts % 1000) - 1);
      const burst = unit(hostIndex, slot) < BURST_SHARE ? shape.burst : 1;
      const value = Math.max(0, shape.base * daily * noise * burst);
      out[i] = {
        event_id: `${host}:${boot}:${seq++}`,
        host,
        ts,
        metric: shape.metric,
        value: shape.ratio ? Math.min(1, value) : value,
        unit: shape.unit,
        attributes: shape.attributes,
      };
    }
    return out;
  };
}
