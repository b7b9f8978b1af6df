import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Envelope } from '../../core/stream';
import type { MetricSample } from '../../schemas';
import { batchOf, sample } from './__fixtures__/batches';
import type { Batch } from './batch';
import { coalesce } from './coalesce';

const run = (fn: (helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0]) => void) =>
  new TestScheduler((a, b) => expect(a).toEqual(b)).run(fn);
/** The record counts of what comes out, so marbles compare sizes. */
const sizes = map((e: Envelope<Batch<MetricSample>>) => e.payload.records.length);

const two = (p: number) => batchOf([sample({ event_id: `${p}a` }), sample({ event_id: `${p}b` })], p);

describe('coalesce stage', () => {
  it('flushes at the record limit at once, and by time otherwise', () => {
    run(({ cold, expectObservable }) => {
      const src = cold('a b c 300ms |', { a: two(0), b: two(1), c: two(2) });
      expectObservable(src.pipe(coalesce({ maxRecords: 4, maxWaitMs: 100 }), sizes)).toBe(
        '-x 100ms y 200ms |',
        { x: 4, y: 2 },
      );
    });
  });

  it('writes a batch at once when nothing downstream is busy, at most once per wait', () => {
    run(({ cold, expectObservable }) => {
      const src = cold('a b c 300ms d |', { a: two(0), b: two(1), c: two(2), d: two(3) });
      const idle = coalesce<MetricSample, never>({ maxRecords: 1000, maxWaitMs: 100, idle: () => true });
      const busy = coalesce<MetricSample, never>({ maxRecords: 1000, maxWaitMs: 100, idle: () => false });
      // a goes at once; b and c came too soon after it, and wait; d finds the sinks idle again
      expectObservable(src.pipe(idle, sizes)).toBe('x 100ms y 201ms z |', { x: 2, y: 4, z: 2 });
      expectObservable(src.pipe(busy, sizes)).toBe('100ms x 203ms (y|)', { x: 6, y: 2 });
    });
  });

  it('flushes at the byte limit of the encoded records, before the record limit', () => {
    const bytes = (b: Batch<MetricSample>) =>
      b.records.reduce((n, r) => n + (r.source.value?.length ?? 0), 0);
    const limit = bytes(two(0).payload) * 2;
    run(({ cold, expectObservable }) => {
      const src = cold('a b c 300ms |', { a: two(0), b: two(1), c: two(2) });
      expectObservable(src.pipe(coalesce({ maxRecords: 1000, maxBytes: limit, maxWaitMs: 100 }), sizes)).toBe(
        '-x 100ms y 200ms |',
        { x: 4, y: 2 },
      );
    });
  });

  it('counts encoded chunks by their records and bytes, and keeps them in order', () => {
    type C = { count: number; bytes: number; id: string };
    const encoded = (p: number, count: number, bytes: number): Envelope<Batch<MetricSample, never, C>> => {
      const e = two(p);
      return { ...e, payload: { ...e.payload, records: [], chunks: [{ count, bytes, id: `c${p}` }] } };
    };
    const chunks = map((e: Envelope<Batch<MetricSample, never, C>>) =>
      e.payload.chunks?.map((c) => c.id).join(),
    );
    run(({ cold, expectObservable }) => {
      const byCount = cold('a b c 300ms |', {
        a: encoded(0, 3, 1),
        b: encoded(1, 3, 1),
        c: encoded(2, 3, 1),
      });
      expectObservable(byCount.pipe(coalesce({ maxRecords: 6, maxWaitMs: 100 }), chunks)).toBe(
        '-x 100ms y 200ms |',
        { x: 'c0,c1', y: 'c2' },
      );
      const byBytes = cold('a b c 300ms |', {
        a: encoded(0, 1, 50),
        b: encoded(1, 1, 50),
        c: encoded(2, 1, 50),
      });
      expectObservable(
        byBytes.pipe(coalesce({ maxRecords: 100, maxBytes: 100, maxWaitMs: 100 }), chunks),
      ).toBe('-x 100ms y 200ms |', { x: 'c0,c1', y: 'c2' });
    });
  });

  it('flushes what it holds when the source completes, and tears down its timer', () => {
    run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a|', { a: two(0) });
      expectObservable(src.pipe(coalesce({ maxRecords: 100, maxWaitMs: 1000 }), sizes)).toBe('-(x|)', {
        x: 2,
      });
      expectSubscriptions(src.subscriptions).toBe('^!');
    });
  });

  it('acknowledges every original batch in order, each with its own commit floor', () => {
    const acks: string[] = [];
    const env = (p: number, floor?: string): Envelope<Batch<MetricSample>> => {
      const e = two(p);
      return { ...e, payload: { ...e.payload, commitFloor: floor }, ack: (f) => acks.push(`${p}:${f}`) };
    };
    run(({ cold }) => {
      cold('ab|', { a: env(0, '7'), b: env(1) })
        .pipe(coalesce({ maxRecords: 100, maxWaitMs: 10 }))
        .subscribe((merged) => merged.ack());
    });
    expect(acks).toEqual(['0:7', '1:undefined']);
  });

  it('joins the detection results still to come of the batches it joins, in batch order', async () => {
    const anomaly = (id: string) => ({ id }) as never;
    const withResult = (p: number, id: string | undefined) => {
      const env = two(p);
      if (id) env.payload.detected = Promise.resolve({ anomalies: [anomaly(id)], evicted: 1, seconds: 0.25 });
      return env;
    };
    const joined: Envelope<Batch<MetricSample>>[] = [];
    run(({ cold }) => {
      cold('a b c|', { a: withResult(0, 'x'), b: withResult(1, undefined), c: withResult(2, 'y') })
        .pipe(coalesce({ maxRecords: 6, maxWaitMs: 100 }))
        .subscribe((env) => joined.push(env));
    });
    expect(joined).toHaveLength(1);
    await expect(joined[0]!.payload.detected).resolves.toEqual({
      anomalies: [anomaly('x'), anomaly('y')],
      evicted: 2,
      seconds: 0.5,
    });
  });
});
