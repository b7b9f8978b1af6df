import { latencyView, warmupSplit } from './latency-bare-consumer';

describe('latency views', () => {
  it('takes percentiles of the first n latencies', () => {
    const v = latencyView(Float64Array.from([5, 1, 4, 2, 3, 99]), 5);
    expect(v).toEqual({ samples: 5, p50_ms: 3, p90_ms: 5, p99_ms: 5, max_ms: 5 });
  });

  it('splits the samples stamped in the first seconds from the rest', () => {
    const stamped = Float64Array.from([1000, 1500, 10_999, 11_000, 20_000, 0]);
    const latencies = Float64Array.from([900, 800, 700, 40, 60, 1]);
    const { warmup, after } = warmupSplit(latencies, stamped, 5, 10_000);
    expect(warmup).toMatchObject({ samples: 3, max_ms: 900 });
    expect(after).toMatchObject({ samples: 2, p50_ms: 40, max_ms: 60 });
  });

  it('views each of the first seconds, and the one after them, apart', () => {
    const stamped = Float64Array.from([1000, 1500, 2999, 3500, 9000]);
    const latencies = Float64Array.from([900, 800, 700, 40, 60]);
    const { bySecond } = warmupSplit(latencies, stamped, 5, 2000);
    expect(bySecond.map((v) => v.samples)).toEqual([2, 1, 1]);
    expect(bySecond[1]).toMatchObject({ max_ms: 700 });
  });
});
