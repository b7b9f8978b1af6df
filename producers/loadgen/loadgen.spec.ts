import type { MetricSample } from '../../schemas';
import { runLoadgen } from './loadgen';

/** A run on a virtual clock: sleeping and each write (taking `writeMs`) move it. */
async function run(o: { rate: number; total: number; writeMs: number; batchSize?: number }) {
  let now = 1_700_000_000_000;
  const batches: { at: number; stamps: number[]; size: number }[] = [];
  const sent = await runLoadgen({
    hosts: 20,
    rate: o.rate,
    total: o.total,
    batchSize: o.batchSize,
    clock: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    publisher: {
      name: 'test',
      write: async (batch: readonly MetricSample[]) => {
        batches.push({ at: now, stamps: [...new Set(batch.map((s) => s.ts))], size: batch.length });
        now += o.writeMs;
      },
      close: async () => undefined,
    },
  });
  return { sent, batches, elapsed: now - 1_700_000_000_000 };
}

describe('runLoadgen', () => {
  it('at a rate, sends small batches spread over the second, each stamped as it is made', async () => {
    const { sent, batches, elapsed } = await run({ rate: 20_000, total: 20_000, writeMs: 1 });
    expect(sent).toBe(20_000);
    expect(Math.max(...batches.map((b) => b.size))).toBeLessThanOrEqual(220);
    expect(batches.length).toBeGreaterThanOrEqual(90);
    for (const b of batches) expect(b.stamps).toEqual([b.at]);
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThanOrEqual(1_020);
  });

  it('keeps the rate when sends are slow, catching up in larger batches', async () => {
    const { sent, batches, elapsed } = await run({ rate: 20_000, total: 40_000, writeMs: 30 });
    expect(sent).toBe(40_000);
    expect(Math.max(...batches.map((b) => b.size))).toBeGreaterThanOrEqual(600);
    for (const b of batches) expect(b.stamps).toEqual([b.at]);
    expect(elapsed).toBeLessThanOrEqual(2_050);
  });

  it('never sends more than batchSize at once', async () => {
    const { sent, batches } = await run({ rate: 20_000, total: 6_000, writeMs: 30, batchSize: 300 });
    expect(sent).toBe(6_000);
    expect(Math.max(...batches.map((b) => b.size))).toBe(300);
  });

  it('without a rate, sends full batches back to back', async () => {
    const { sent, batches } = await run({ rate: 0, total: 2_500, writeMs: 5, batchSize: 1000 });
    expect(sent).toBe(2_500);
    expect(batches.map((b) => b.size)).toEqual([1000, 1000, 500]);
  });
});
