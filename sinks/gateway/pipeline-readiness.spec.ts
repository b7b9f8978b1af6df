import { createMetrics } from '../../core/metrics';
import { pipelineReadiness } from './pipeline-readiness';

describe('pipelineReadiness', () => {
  const setup = () => {
    let now = 1_000_000;
    const metrics = createMetrics();
    const ready = pipelineReadiness(metrics, { stallAfterMs: 10_000, clock: () => now });
    return { metrics, ready, advance: (ms: number) => (now += ms) };
  };

  it('is ready with no processor metrics at all, and while idle for long', async () => {
    const { ready, advance } = setup();
    await expect(ready.check()).resolves.toBeUndefined();
    advance(3_600_000);
    await expect(ready.check()).resolves.toBeUndefined();
  });

  it('is not ready while a sink breaker is open; half-open and closed are ready', async () => {
    const { metrics, ready } = setup();
    metrics.breakerState.set({ sink: 'clickhouse' }, 2);
    metrics.breakerState.set({ sink: 'kafka' }, 0);
    await expect(ready.check()).rejects.toThrow('circuit breaker open for sink clickhouse');
    metrics.breakerState.set({ sink: 'clickhouse' }, 1);
    await expect(ready.check()).resolves.toBeUndefined();
  });

  it('is not ready when work is pending and nothing is acknowledged for stallAfterMs', async () => {
    const { metrics, ready, advance } = setup();
    advance(60_000); // idle before: the stall is counted from when work was first seen pending
    metrics.consumerLag.set({ group: 'g', topic: 't', partition: '0' }, 500);
    await ready.sample();
    advance(9_999);
    await expect(ready.check()).resolves.toBeUndefined();
    advance(1);
    await expect(ready.check()).rejects.toThrow(/stalled: 500 events pending/);
    metrics.batchesFlushed.inc({ sink: 'clickhouse' });
    await expect(ready.check()).resolves.toBeUndefined();
  });

  it('counts in-flight events as pending work, and recovers when they are gone', async () => {
    const { metrics, ready, advance } = setup();
    metrics.sourceInFlight.set({ group: 'g' }, 3);
    await ready.sample();
    advance(10_000);
    await expect(ready.check()).rejects.toThrow(/stalled/);
    metrics.sourceInFlight.set({ group: 'g' }, 0);
    await expect(ready.check()).resolves.toBeUndefined();
  });
});
