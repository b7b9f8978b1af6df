import { createMetrics } from '../../core/metrics';
import { silentLogger } from '../../core/logger';
import type { MetricSample } from '../../schemas';
import { hostAgent } from './host-agent';
import { sampleStamper } from './sample-stamper';

describe('sampleStamper', () => {
  it('gives every sample a unique host:boot:seq id and the collection time', () => {
    const stamp = sampleStamper('h1', 1000);
    const first = stamp(
      [
        { metric: 'm', value: 1, unit: '1' },
        { metric: 'n', value: 2, unit: '1' },
      ],
      5000,
    );
    const second = stamp([{ metric: 'm', value: 3, unit: '1' }], 6000);
    expect([...first, ...second].map((s) => s.event_id)).toEqual(['h1:1000:0', 'h1:1000:1', 'h1:1000:2']);
    expect(first[0]).toMatchObject({ host: 'h1', ts: 5000, attributes: {} });
  });
});

describe('hostAgent', () => {
  const setup = (maxPending: number) => {
    const written: MetricSample[][] = [];
    let failing = true;
    const metrics = createMetrics();
    let now = 10_000;
    const agent = hostAgent({
      host: 'h',
      intervalMs: 1000,
      collect: async () => [{ metric: 'system.cpu.utilization', value: 0.5, unit: '1' }],
      publisher: {
        name: 'fake',
        write: async (batch) => {
          if (failing) throw new Error('broker away');
          written.push([...batch]);
        },
        close: async () => undefined,
      },
      clock: () => now++,
      logger: silentLogger,
      metrics,
      maxPending,
    });
    return { agent, written, metrics, heal: () => (failing = false) };
  };

  it('keeps samples while publishing fails and sends them, in order, once it works', async () => {
    const { agent, written, heal } = setup(100);
    await agent.tick();
    await agent.tick();
    expect(agent.status).toMatchObject({ sent: 0, pending: 2, dropped: 0, lastError: 'broker away' });
    heal();
    await agent.tick();
    expect(written).toHaveLength(1);
    expect(written[0]!.map((s) => s.event_id.split(':')[2])).toEqual(['0', '1', '2']);
    expect(agent.status).toMatchObject({ sent: 3, pending: 0, lastError: undefined });
  });

  it('drops the oldest past its cap and counts every drop', async () => {
    const { agent, written, metrics, heal } = setup(2);
    for (let i = 0; i < 5; i++) await agent.tick();
    expect(agent.status.dropped).toBe(3);
    const dropped = await metrics.eventsDropped.get();
    expect(dropped.values.find((v) => v.labels.reason === 'agent_pending_full')?.value).toBe(3);
    heal();
    await agent.stop();
    expect(written.flat().map((s) => s.event_id.split(':')[2])).toEqual(['3', '4']);
  });
});
