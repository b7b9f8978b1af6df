import { DDSketch } from '@datadog/sketches-js';
import { TestScheduler } from 'rxjs/testing';
import type { MetricAggregate } from '../../schemas';
import { batchOf, movableAssignment, sample } from './__fixtures__/batches';
import { windowAggregate } from './window-aggregate';
import { WindowAccumulator } from './window-accumulator';

const run = (fn: (helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0]) => void) =>
  new TestScheduler((a, b) => expect(a).toEqual(b)).run(fn);

const agg = (over: Partial<MetricAggregate>) =>
  expect.objectContaining({ host: 'h', metric: 'system.cpu.utilization', window_ms: 10_000, ...over });
const payload = (over: object) => expect.objectContaining({ payload: expect.objectContaining(over) });
const options = { windowsMs: [10_000], allowedLatenessMs: 1000, idleTimeoutMs: 60_000 };

describe('windowAggregate stage', () => {
  it('closes a window when the partition watermark passes its end, with its statistics', () => {
    run(({ cold, expectObservable }) => {
      const a = batchOf(
        [sample({ event_id: '1', ts: 1000, value: 1 }), sample({ event_id: '2', ts: 5000, value: 3 })],
        0,
        100,
      );
      const b = batchOf([sample({ event_id: '3', ts: 10_500, value: 7 })], 0, 102);
      const c = batchOf([sample({ event_id: '4', ts: 11_000, value: 9 })], 0, 103);
      expectObservable(cold('a b c|', { a, b, c }).pipe(windowAggregate(options))).toBe('a b c|', {
        a: payload({ aggregates: [], commitFloor: '100' }),
        b: payload({ aggregates: [], commitFloor: '100' }),
        c: payload({
          aggregates: [agg({ window_start: 0, count: 2, sum: 4, min: 1, max: 3, mean: 2, last: 3 })],
          commitFloor: '102',
        }),
      });
    });
  });

  it('puts every sample in the right window of each size as a series moves back and forth between windows', () => {
    run(({ cold, expectObservable }) => {
      const two = { ...options, windowsMs: [10_000, 60_000], allowedLatenessMs: 10_000 };
      const at = (ts: number, host = 'h') => sample({ ts, host, value: 1 });
      // h: 10 s windows 0 and 10 000 alternate (3 000 is late but within the lateness); g interleaves.
      const a = batchOf([at(1000), at(1500, 'g'), at(12_000), at(3000), at(2500, 'g'), at(13_000), at(4000)]);
      const b = batchOf([at(200_000), at(200_000, 'g')], 0, 7);
      const w = (host: string, window_ms: number, window_start: number, count: number) =>
        expect.objectContaining({ host, window_ms, window_start, count });
      expectObservable(cold('a b|', { a, b }).pipe(windowAggregate(two))).toBe('a b|', {
        a: payload({ aggregates: [] }),
        b: payload({
          aggregates: expect.arrayContaining([
            w('h', 10_000, 0, 3),
            w('h', 10_000, 10_000, 2),
            w('h', 60_000, 0, 5),
            w('g', 10_000, 0, 2),
            w('g', 60_000, 0, 2),
          ]),
        }),
      });
    });
  });

  it('keeps partitions apart: one partition’s time does not close another’s windows', () => {
    run(({ cold, expectObservable }) => {
      const a = batchOf([sample({ ts: 1000, host: 'p0' })], 0);
      const b = batchOf([sample({ ts: 50_000, host: 'p1' })], 1);
      expectObservable(cold('a b|', { a, b }).pipe(windowAggregate(options))).toBe('a b|', {
        a: payload({ aggregates: [] }),
        b: payload({ aggregates: [], commitFloor: '0' }),
      });
    });
  });

  it('counts a sample whose window already closed as late, keeps it in the records, and re-emits its window corrected', () => {
    run(({ cold, expectObservable }) => {
      const a = batchOf([sample({ event_id: '1', ts: 1000 }), sample({ event_id: '2', ts: 25_000 })]);
      const b = batchOf([sample({ event_id: 'late', ts: 2000, value: 100 })], 0, 2);
      expectObservable(cold('a b|', { a, b }).pipe(windowAggregate(options))).toBe('a b|', {
        a: payload({ aggregates: [agg({ window_start: 0, count: 1 })] }),
        b: payload({
          aggregates: [agg({ window_start: 0, count: 2, sum: 100.5, max: 100, last: 100 })],
          records: [expect.objectContaining({ value: expect.objectContaining({ event_id: 'late' }) })],
          stats: expect.objectContaining({ late: 1, windowsCorrected: 1, lateUnaggregated: 0 }),
          commitFloor: '1',
        }),
      });
    });
  });

  it('closes the windows of an idle partition by processing time, in an envelope of their own', () => {
    run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a 19999ms |', { a: batchOf([sample({ ts: 1000, value: 4 })]) });
      const out = src.pipe(windowAggregate({ ...options, idleTimeoutMs: 5000 }));
      expectObservable(out).toBe('a 12499ms t 7499ms |', {
        a: payload({ aggregates: [] }),
        t: payload({
          records: [],
          aggregates: [agg({ window_start: 0, count: 1, last: 4 })],
          commitFloor: undefined,
        }),
      });
      expectSubscriptions(src.subscriptions).toBe('^ 19999ms !');
    });
  });

  it('closes the oldest window early when too many are open, and counts it', () => {
    run(({ cold, expectObservable }) => {
      const a = batchOf([sample({ ts: 1000, metric: 'a' }), sample({ ts: 1000, metric: 'b' })]);
      expectObservable(cold('a|', { a }).pipe(windowAggregate({ ...options, maxOpenWindows: 1 }))).toBe(
        'a|',
        {
          a: payload({
            aggregates: [expect.objectContaining({ metric: 'a', count: 1 })],
            stats: expect.objectContaining({ windowsForceClosed: 1 }),
          }),
        },
      );
    });
  });

  it('aggregates every configured window size', () => {
    run(({ cold, expectObservable }) => {
      const a = batchOf([sample({ ts: 1000 }), sample({ ts: 65_000 })]);
      expectObservable(
        cold('a|', { a }).pipe(windowAggregate({ ...options, windowsMs: [10_000, 60_000] })),
      ).toBe('a|', {
        a: payload({
          aggregates: [
            agg({ window_ms: 10_000, window_start: 0 }),
            agg({ window_ms: 60_000, window_start: 0 }),
          ],
        }),
      });
    });
  });

  it('stops its idle timer and upstream on unsubscribe', () => {
    run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a 30s |', { a: batchOf([sample({ ts: 1000 })]) });
      expectObservable(src.pipe(windowAggregate({ ...options, idleTimeoutMs: 5000 })), '^ 5s !').toBe('a', {
        a: expect.anything(),
      });
      expectSubscriptions(src.subscriptions).toBe('^ 5s !');
    });
  });
});

describe('WindowAccumulator', () => {
  it('estimates quantiles within the sketch’s 1% relative accuracy', () => {
    const w = new WindowAccumulator('k', sample(), 60_000, 0, 0, '0');
    for (let i = 1; i <= 1000; i++) w.add(i, i / 10, String(i));
    const out = w.close();
    expect(out).toMatchObject({ count: 1000, min: 0.1, max: 100, last: 100 });
    expect(out.mean).toBeCloseTo(50.05, 6);
    expect(Math.abs(out.p50 - 50) / 50).toBeLessThan(0.02);
    expect(Math.abs(out.p95 - 95) / 95).toBeLessThan(0.02);
    expect(Math.abs(out.p99 - 99) / 99).toBeLessThan(0.02);
  });

  it('keeps the lowest offset that fed it', () => {
    const w = new WindowAccumulator('k', sample(), 10_000, 0, 0, '50');
    w.add(1, 1, '40');
    w.add(2, 1, '60');
    w.add(3, 1, '100'); // later as a number, though not as text
    w.add(4, 1, '5');
    expect(w.minOffset).toBe('5');
    const big = new WindowAccumulator('k', sample(), 10_000, 0, 0, '9223372036854775806');
    big.add(1, 1, '9223372036854775807');
    big.add(2, 1, '9223372036854775805'); // beyond a double's exact integers
    expect(big.minOffset).toBe('9223372036854775805');
  });

  it('gives the same quantiles whatever order its values came in', () => {
    const values = Array.from({ length: 500 }, (_, i) => 1000 * Math.exp(Math.sin(i * 12.9898) * 3));
    const quantiles = (order: number[]) => {
      const w = new WindowAccumulator('k', sample(), 60_000, 0, 0, '0');
      order.forEach((v, i) => w.add(i, v, String(i)));
      const { p50, p95, p99, min, max, count } = w.close();
      return { p50, p95, p99, min, max, count };
    };
    const sorted = [...values].sort((a, b) => a - b);
    const reference = new DDSketch({ relativeAccuracy: 0.01 });
    values.forEach((v) => reference.accept(v));
    // The sketch's answer, clamped into [min, max] (its bins' representatives may lie outside).
    const expected = [0.5, 0.95, 0.99].map((q) =>
      Math.min(sorted[499]!, Math.max(sorted[0]!, reference.getValueAtQuantile(q))),
    );
    for (const order of [values, sorted, [...sorted].reverse()]) {
      const q = quantiles(order);
      expect([q.p50, q.p95, q.p99]).toEqual(expected);
      expect(q).toMatchObject({ count: 500, min: sorted[0], max: sorted[499] });
    }
  });
});

describe('windowAggregate commit floor', () => {
  it('holds the commit for a partition even when a batch adds nothing to its windows', () => {
    run(({ cold, expectObservable }) => {
      const a = batchOf([sample({ event_id: '1', ts: 1000 })], 3, 500);
      const b = { ...batchOf([], 3, 501) };
      expectObservable(cold('a b|', { a, b }).pipe(windowAggregate(options))).toBe('a b|', {
        a: payload({ commitFloor: '500' }),
        b: payload({ commitFloor: '500' }),
      });
    });
  });
});

describe('windowAggregate idle rule', () => {
  const idleOptions = { ...options, idleTimeoutMs: 5000 };

  it('does not treat a partition with a backlog as idle', () => {
    run(({ cold, expectObservable }) => {
      const behind = { ...batchOf([sample({ ts: 1000 })]) };
      behind.payload = { ...behind.payload, caughtUp: false };
      expectObservable(cold('a 19999ms |', { a: behind }).pipe(windowAggregate(idleOptions))).toBe(
        'a 19999ms |',
        {
          a: payload({ aggregates: [] }),
        },
      );
    });
  });

  it('does not treat any partition as idle while the source holds back', () => {
    run(({ cold, expectObservable }) => {
      const src = cold('a 19999ms |', { a: batchOf([sample({ ts: 1000 })]) });
      expectObservable(src.pipe(windowAggregate({ ...idleOptions, sourceHolding: () => true }))).toBe(
        'a 19999ms |',
        {
          a: payload({ aggregates: [] }),
        },
      );
    });
  });
});

describe('windowAggregate stage across a rebalance', () => {
  it('drops a revoked partition’s open windows unpublished, and ignores its in-flight batches', () => {
    const { assignment, rebalance } = movableAssignment([0, 1]);
    run(({ cold, expectObservable }) => {
      cold('--- a', { a: 0 }).subscribe(rebalance([0]));
      const a = batchOf([sample({ event_id: '1', ts: 1000, host: 'p0' })], 0, 10);
      const b = batchOf([sample({ event_id: '2', ts: 1000, host: 'p1' })], 1, 20);
      const late = batchOf([sample({ event_id: '3', ts: 30_000, host: 'p1' })], 1, 21);
      const c = batchOf([sample({ event_id: '4', ts: 30_000, host: 'p0' })], 0, 11);
      const src = cold('a b -- d c 19999ms |', { a, b, d: late, c });
      const out = src.pipe(windowAggregate({ ...options, idleTimeoutMs: 5000, assignment }));
      // Partition 1 is revoked at 3ms: its window [0, 10 s) never closes here, not even when idle;
      // the batch fetched before the revocation passes through without being windowed.
      expectObservable(out).toBe('a b -- d c 19999ms |', {
        a: payload({ aggregates: [] }),
        b: payload({ aggregates: [] }),
        d: payload({ aggregates: [], commitFloor: undefined }),
        c: payload({ aggregates: [agg({ host: 'p0', window_start: 0, count: 1 })], commitFloor: '11' }),
      });
    });
  });
});

describe('windowAggregate per-host event time', () => {
  const at = (host: string, ts: number, value = 1, event_id = `${host}:${ts}`) =>
    sample({ host, ts, value, event_id });

  it('does not make other hosts late when one host’s clock runs 270 s fast', () => {
    run(({ cold, expectObservable }) => {
      const a = batchOf([at('h', 1000), at('fast', 271_000), at('h', 4000)], 0, 0);
      const b = batchOf([at('h', 8000), at('h', 12_000)], 0, 3);
      expectObservable(cold('a b|', { a, b }).pipe(windowAggregate(options))).toBe('a b|', {
        a: payload({ aggregates: [], stats: expect.objectContaining({ late: 0 }), commitFloor: '0' }),
        b: payload({
          // h's window [0, 10 s) holds all three of its samples and closes by h's own time.
          aggregates: [agg({ host: 'h', window_start: 0, count: 3 })],
          stats: expect.objectContaining({ late: 0, windowsCorrected: 0 }),
          // The fast host's open window starts at 1, but h's closed window reaches past it from 0:
          // re-read from 1, it would be met without its first sample.
          commitFloor: '0',
        }),
      });
    });
  });

  it('aggregates an agent’s replayed minutes that arrive after its newer samples', () => {
    run(({ cold, expectObservable }) => {
      const a = batchOf([at('h', 1000), at('h', 185_000)], 0, 0);
      // The agent was cut off for minutes 1 and 2 (nothing was sent), then drains its spool.
      const replay = batchOf(
        [at('h', 30_000, 2), at('h', 62_000, 6), at('h', 70_000, 4), at('h', 130_000, 5)],
        0,
        2,
      );
      const minute = { ...options, windowsMs: [60_000] };
      const m = (window_start: number, over: object) =>
        expect.objectContaining({ host: 'h', window_ms: 60_000, window_start, ...over });
      expectObservable(cold('a b|', { a, b: replay }).pipe(windowAggregate(minute))).toBe('a b|', {
        a: payload({ aggregates: [m(0, { count: 1 })] }),
        b: payload({
          aggregates: [
            m(0, { count: 2, sum: 3, min: 1, max: 2, last: 2 }),
            m(60_000, { count: 2, sum: 10, min: 4, max: 6, last: 4, p50: 5 }),
            m(120_000, { count: 1, sum: 5, p99: 5 }),
          ],
          stats: expect.objectContaining({ late: 4, windowsCorrected: 3, lateUnaggregated: 0 }),
        }),
      });
    });
  });

  it('counts, but does not aggregate, a late sample beyond the correction horizon', () => {
    run(({ cold, expectObservable }) => {
      const a = batchOf([at('h', 1000), at('h', 20_000), at('h', 100_000)], 0, 0);
      const b = batchOf([at('h', 2000), at('h', 85_000)], 0, 3);
      const horizon = { ...options, correctionHorizonMs: 30_000 };
      expectObservable(cold('a b|', { a, b }).pipe(windowAggregate(horizon))).toBe('a b|', {
        a: payload({ aggregates: [agg({ window_start: 0 }), agg({ window_start: 20_000 })] }),
        b: payload({
          aggregates: [agg({ window_start: 80_000, count: 1 })], // within the horizon: a new window
          stats: expect.objectContaining({ late: 2, windowsCorrected: 1, lateUnaggregated: 1 }),
        }),
      });
    });
  });

  it('counts, but does not emit, a late sample whose closed window was forgotten at the cap', () => {
    run(({ cold, expectObservable }) => {
      const a = batchOf([at('h', 1000), at('h', 12_000), at('h', 25_000)], 0, 0);
      const b = batchOf([at('h', 2000), at('h', 13_000)], 0, 3);
      const one = { ...options, maxClosedWindows: 1 };
      expectObservable(cold('a b|', { a, b }).pipe(windowAggregate(one))).toBe('a b|', {
        a: payload({ aggregates: [agg({ window_start: 0 }), agg({ window_start: 10_000 })] }),
        b: payload({
          // [0, 10 s) was forgotten when [10 s, 20 s) closed: correcting it from nothing would undercount.
          aggregates: [agg({ window_start: 10_000, count: 2 })],
          stats: expect.objectContaining({ late: 2, windowsCorrected: 1, lateUnaggregated: 1 }),
        }),
      });
    });
  });

  it('keeps at most maxHostsPerPartition hosts, closing the stalest one’s windows first (counted)', () => {
    run(({ cold, expectObservable }) => {
      const a = batchOf([at('old', 1000), at('new', 5000)], 0, 0);
      const b = batchOf([at('third', 6000)], 0, 2);
      const capped = { ...options, maxHostsPerPartition: 2 };
      expectObservable(cold('a b|', { a, b }).pipe(windowAggregate(capped))).toBe('a b|', {
        a: payload({ aggregates: [], commitFloor: '0' }),
        b: payload({
          aggregates: [agg({ host: 'old', window_start: 0, count: 1 })],
          stats: expect.objectContaining({ windowHostsEvicted: 1 }),
          commitFloor: '1',
        }),
      });
    });
  });

  it('moves a quiet host on by processing time while the other hosts of its busy partition keep sending', () => {
    run(({ cold, expectObservable }) => {
      const quiet = { ...options, idleTimeoutMs: 4000 };
      const src = cold('a 3999ms b 8999ms |', {
        a: batchOf([at('q', 1000), at('h', 1000)], 0, 0),
        b: batchOf([at('h', 15_000)], 0, 2),
      });
      // h's own time closes h's window at b. q sends nothing more: the idle check (every 2 s) moves
      // its watermark to the partition's newest event (15 s) but never past processing time, less
      // the lateness: its window [0, 10 s) closes at 12 s, in an envelope of its own.
      expectObservable(src.pipe(windowAggregate(quiet))).toBe('a 3999ms b 7999ms t 999ms |', {
        a: payload({ aggregates: [] }),
        b: payload({ aggregates: [agg({ host: 'h', window_start: 0 })], commitFloor: '0' }),
        t: payload({ partition: undefined, aggregates: [agg({ host: 'q', window_start: 0, count: 1 })] }),
      });
    });
  });
});

describe('windowAggregate idle commits', () => {
  it('acknowledges the partition’s last batch again with the raised floor once the idle close is delivered', () => {
    const acks: (string | undefined)[] = [];
    run(({ cold, flush }) => {
      const a = { ...batchOf([sample({ ts: 1000 })], 0, 40), ack: (f?: string) => void acks.push(f) };
      const out = cold('a 19999ms |', { a }).pipe(windowAggregate({ ...options, idleTimeoutMs: 5000 }));
      const delivered: { ack(f?: string): void; payload: { commitFloor?: string } }[] = [];
      out.subscribe((env) => delivered.push(env));
      flush();
      expect(delivered).toHaveLength(2);
      delivered[0]!.ack(delivered[0]!.payload.commitFloor); // the batch, while its window is open
      expect(acks).toStrictEqual(['40']);
      delivered[1]!.ack(); // the idle close, once its aggregates are written
      expect(acks).toStrictEqual(['40', undefined]);
    });
  });

  it('leaves a batch that came after the idle close at its own floor', () => {
    const acks: Record<string, (string | undefined)[]> = { a: [], b: [] };
    run(({ cold, flush }) => {
      const a = { ...batchOf([sample({ ts: 1000 })], 0, 40), ack: (f?: string) => void acks.a!.push(f) };
      const b = { ...batchOf([sample({ ts: 20_000 })], 0, 41), ack: (f?: string) => void acks.b!.push(f) };
      const delivered: { ack(f?: string): void; payload: { commitFloor?: string } }[] = [];
      cold('a 12999ms b 9999ms |', { a, b })
        .pipe(windowAggregate({ ...options, idleTimeoutMs: 5000 }))
        .subscribe((env) => delivered.push(env));
      flush();
      const [first, idle, second] = delivered;
      expect([first!.payload.commitFloor, second!.payload.commitFloor]).toEqual(['40', '41']);
      first!.ack('40');
      idle!.ack(); // b's window [20 s, 30 s) is open: only a's floor rises
      second!.ack('41');
      expect(acks).toStrictEqual({ a: ['40', undefined], b: ['41'] });
    });
  });

  it('raises the floor when the batch’s own ack comes after the idle close’s', () => {
    const acks: (string | undefined)[] = [];
    run(({ cold, flush }) => {
      const a = { ...batchOf([sample({ ts: 1000 })], 0, 40), ack: (f?: string) => void acks.push(f) };
      const delivered: { ack(f?: string): void; payload: { commitFloor?: string } }[] = [];
      cold('a 19999ms |', { a })
        .pipe(windowAggregate({ ...options, idleTimeoutMs: 5000 }))
        .subscribe((env) => delivered.push(env));
      flush();
      delivered[1]!.ack();
      expect(acks).toStrictEqual([]);
      delivered[0]!.ack('40');
      expect(acks).toStrictEqual(['40', undefined]);
    });
  });
});
