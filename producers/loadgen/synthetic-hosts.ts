import type { MetricSample } from '../../schemas';

const METRICS: {
  metric: string;
  unit: string;
  attributes: Record<string, string>;
  base: number;
  swing: number;
}[] = [
  { metric: 'system.cpu.utilization', unit: '1', attributes: {}, base: 0.3, swing: 0.2 },
  {
    metric: 'system.memory.utilization',
    unit: '1',
    attributes: { 'system.memory.state': 'used' },
    base: 0.55,
    swing: 0.1,
  },
  {
    metric: 'system.memory.usage',
    unit: 'By',
    attributes: { 'system.memory.state': 'used' },
    base: 8e9,
    swing: 1e9,
  },
  { metric: 'system.cpu.load_average.1m', unit: '{thread}', attributes: {}, base: 1.2, swing: 0.8 },
];

/**
 * Deterministic synthetic samples for `hosts` hosts: each host cycles through a few series with a
 * slow wave plus noise, so charts and aggregates look like real machines. Same schema and ids
 * (`host:boot:seq`) as the agent.
 */
export function syntheticSamples(hosts: number, boot: number) {
  let seq = 0;
  let cursor = 0;
  const noise = (n: number) => (Math.sin(n * 12.9898) * 43758.5453) % 1;
  return (count: number, ts: number): MetricSample[] => {
    const out: MetricSample[] = new Array(count);
    for (let i = 0; i < count; i++, cursor++) {
      const hostIndex = cursor % hosts;
      const series = METRICS[Math.floor(cursor / hosts) % METRICS.length]!;
      const host = `loadgen-${String(hostIndex).padStart(4, '0')}`;
      const wave = Math.sin(ts / 600_000 + hostIndex);
      out[i] = {
        event_id: `${host}:${boot}:${seq++}`,
        host,
        ts,
        metric: series.metric,
        value: Math.max(0, series.base + series.swing * (0.8 * wave + 0.2 * noise(cursor))),
        unit: series.unit,
        attributes: series.attributes,
      };
    }
    return out;
  };
}
