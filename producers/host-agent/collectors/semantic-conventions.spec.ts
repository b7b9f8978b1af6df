import path from 'node:path';
import { CUMULATIVE_COUNTERS as SCORING_SKIPS } from '../../../processors/detectors';
import type { Measurement } from '../measurement';
import type { Collector } from './collector';
import { rateName } from './counter-samples';
import { cpuUtilization, hostCollectors } from './index';
import { portableCollector } from './portable';
import { CUMULATIVE_COUNTERS, SEMANTIC_CONVENTIONS } from './semantic-conventions';

const fixture = path.join(__dirname, '..', 'fixtures', 'proc');

/** Everything the collectors emit over two rounds (counters give their rates on the second). */
async function emitted(collectors: Collector[]): Promise<Measurement[]> {
  const out: Measurement[] = [];
  for (const ms of [1_795_466_500_000, 1_795_466_505_000])
    for (const c of collectors) out.push(...(await c.collect(ms)).samples);
  return out;
}

/** What is wrong with one sample against the table, '' when nothing. */
function violation(m: Measurement): string {
  const c = SEMANTIC_CONVENTIONS[m.metric];
  if (!c) return `${m.metric} is not in the conventions table`;
  if (m.unit !== c.unit) return `${m.metric} has unit ${m.unit}, the table says ${c.unit}`;
  for (const [key, value] of Object.entries(m.attributes ?? {})) {
    const allowed = c.attributes[key];
    if (!allowed) return `${m.metric} carries attribute ${key}, not in the table`;
    if (allowed !== 'any' && !allowed.includes(value)) return `${m.metric} ${key}=${value} is not allowed`;
  }
  return '';
}

describe('OpenTelemetry semantic conventions', () => {
  let samples: Measurement[];
  beforeAll(async () => {
    // Every collector on the recorded /proc, the inventory and the portable set included.
    const all = hostCollectors({
      intervalMs: 5000,
      processesIntervalMs: 5000,
      connectionsIntervalMs: 5000,
      topProcesses: 3,
      maxProcessEvents: 10,
      procRoot: fixture,
    });
    expect(all.map((c) => c.name)).toContain('connections');
    samples = await emitted([...all, portableCollector(5000)]);
    // The recorded /proc reads the same both rounds, and this host's CPU times may not move between
    // two back-to-back readings: CPU utilization between two readings that differ in every mode.
    const t0 = { user: 100, nice: 10, system: 50, idle: 800, iowait: 5, irq: 1, softirq: 2, steal: 0 };
    const t1 = { user: 160, nice: 11, system: 70, idle: 900, iowait: 6, irq: 2, softirq: 4, steal: 1 };
    samples.push(...cpuUtilization(t0, t1));
  });

  it('emits only names, units, attributes and values that the table lists', () => {
    expect(samples.length).toBeGreaterThan(50);
    expect(samples.map(violation).filter(Boolean)).toEqual([]);
  });

  it('emits every metric of the table but swap (the recorded host has none)', () => {
    const seen = new Set(samples.map((m) => m.metric));
    const missing = Object.keys(SEMANTIC_CONVENTIONS).filter((name) => !seen.has(name));
    expect(missing.sort()).toEqual(['system.paging.usage', 'system.paging.utilization']);
  });

  it('publishes the kernel counters cumulative, as read, and their rates under a non-OTel name', async () => {
    const io = samples.filter(
      (m) => m.metric === 'system.network.io' && m.attributes?.['network.interface.name'] === 'eth0',
    );
    // /proc/net/dev of the recording: eth0 received 319640128 bytes since boot.
    expect(io.find((m) => m.attributes?.['network.io.direction'] === 'receive')?.value).toBe(319640128);
    expect(samples.find((m) => m.metric === 'system.process.created')?.value).toBe(7295);
    // The recording does not change between rounds: every rate is 0, none is missing.
    const ratesOf = samples.filter((m) => m.metric === rateName('system.disk.io'));
    expect(ratesOf.map((m) => m.value)).toEqual([0, 0]);
    for (const name of CUMULATIVE_COUNTERS) {
      expect(SEMANTIC_CONVENTIONS[name]!.instrument).toBe('counter');
      expect(rateName(name).startsWith('tidewatch.')).toBe(true);
      expect(SEMANTIC_CONVENTIONS[rateName(name)]).toMatchObject({
        unit: `${SEMANTIC_CONVENTIONS[name]!.unit}/s`,
        instrument: 'gauge',
      });
    }
  });

  it('names TCP states and process statuses as the current conventions do', () => {
    const states = samples
      .filter((m) => m.metric === 'system.network.connection.count')
      .map((m) => m.attributes!['network.connection.state']);
    expect(states).toEqual(expect.arrayContaining(['syn_received', 'closed', 'close_wait', 'time_wait']));
    expect(states).not.toContain('syn_recv');
    expect(states).not.toContain('close');
    const statuses = samples
      .filter((m) => m.metric === 'system.process.count')
      .map((m) => m.attributes!['system.process.status']);
    expect(statuses).toEqual(expect.arrayContaining(['running', 'sleeping', 'stopped', 'defunct']));
    expect(statuses).not.toContain('zombie');
  });

  it('is the list of counters the anomaly scoring leaves to their rate series', () => {
    expect([...SCORING_SKIPS].sort()).toEqual([...CUMULATIVE_COUNTERS].sort());
  });

  it('finds a sample outside the table', () => {
    expect(violation({ metric: 'system.disk.io', value: 1, unit: 'By/s' })).toMatch(/unit By\/s/);
    expect(
      violation({
        metric: 'system.network.connection.count',
        value: 1,
        unit: '{connection}',
        attributes: { 'network.transport': 'tcp', 'network.connection.state': 'syn_recv' },
      }),
    ).toMatch(/syn_recv is not allowed/);
    expect(violation({ metric: 'system.disk.io.rate', value: 1, unit: 'By/s' })).toMatch(/not in the/);
  });
});
