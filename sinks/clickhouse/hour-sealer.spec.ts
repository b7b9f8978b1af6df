import type { ClickHouseClient } from '@clickhouse/client';
import { silentLogger } from '../../core/logger';
import { createMetrics } from '../../core/metrics';
import { hourSealer } from './hour-sealer';
import { DEFAULT_SEALING } from './sealing-settings';

const { intervalMs, ...limits } = DEFAULT_SEALING;

function sealer(query: () => Promise<unknown>) {
  const metrics = createMetrics();
  const client = { query, command: jest.fn(), insert: jest.fn() } as unknown as ClickHouseClient;
  const s = hourSealer({
    clickhouse: client,
    database: 'tw',
    intervalMs,
    limits,
    metrics,
    logger: silentLogger,
    clock: () => 0,
  });
  return { s, metrics };
}

describe('hourSealer', () => {
  it('counts a failed pass and leaves the rest to the next', async () => {
    const { s, metrics } = sealer(async () => {
      throw new Error('engine away');
    });
    expect(await s.pass()).toBeUndefined();
    expect((await metrics.hourSealFailures.get()).values[0]!.value).toBe(1);
    expect((await metrics.hoursSealed.get()).values[0]?.value ?? 0).toBe(0);
  });

  it('runs one pass at a time: a pass asked for while one runs is that one', async () => {
    let release!: () => void;
    const query = jest.fn(
      () =>
        new Promise((resolve) => {
          release = () => resolve({ json: async () => [] });
        }),
    );
    const { s, metrics } = sealer(query);
    const first = s.pass();
    expect(s.pass()).toBe(first);
    await Promise.resolve();
    release();
    expect(await first).toEqual({ hostHours: 0, queries: 0, rows: 0 });
    expect(query).toHaveBeenCalledTimes(1);
    expect((await metrics.hourSealFailures.get()).values[0]?.value ?? 0).toBe(0);
  });
});
