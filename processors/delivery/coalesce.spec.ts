import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Envelope } from '../../core/stream';
import { emptyStats } from '../stages';
import { coalesce } from './coalesce';
import type { Parcel } from './parcel';

type C = { count: number; bytes: number; id: string };

const run = (fn: (helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0]) => void) =>
  new TestScheduler((a, b) => expect(a).toEqual(b)).run(fn);

/** A parcel of one batch: `count` samples in one chunk `c<p>` of `bytes`, and its ticket if any. */
function parcel(p: number, count = 2, bytes = 10, ticket?: number): Envelope<Parcel<C>> {
  return {
    payload: {
      chunks: [{ count, bytes, id: `c${p}` }],
      rejects: [],
      aggregates: [],
      anomalies: [],
      stats: { ...emptyStats(), duplicates: p },
      tickets: ticket === undefined ? [] : [ticket],
    },
    ack: () => undefined,
    nack: () => undefined,
  };
}

/** The sample counts of what comes out, so marbles compare sizes. */
const sizes = map((e: Envelope<Parcel<C>>) => e.payload.chunks.reduce((n, c) => n + c.count, 0));
const chunks = map((e: Envelope<Parcel<C>>) => e.payload.chunks.map((c) => c.id).join());

describe('coalesce', () => {
  it('flushes at the record limit at once, and by time otherwise', () => {
    run(({ cold, expectObservable }) => {
      const src = cold('a b c 300ms |', { a: parcel(0), b: parcel(1), c: parcel(2) });
      expectObservable(src.pipe(coalesce<C>({ maxRecords: 4, maxWaitMs: 100 }), sizes)).toBe(
        '-x 100ms y 200ms |',
        { x: 4, y: 2 },
      );
    });
  });

  it('writes a batch at once when nothing downstream is busy, at most once per wait', () => {
    run(({ cold, expectObservable }) => {
      const src = cold('a b c 300ms d |', { a: parcel(0), b: parcel(1), c: parcel(2), d: parcel(3) });
      const idle = coalesce<C>({ maxRecords: 1000, maxWaitMs: 100, idle: () => true });
      const busy = coalesce<C>({ maxRecords: 1000, maxWaitMs: 100, idle: () => false });
      // a goes at once; b and c came too soon after it, and wait; d finds the sinks idle again
      expectObservable(src.pipe(idle, sizes)).toBe('x 100ms y 201ms z |', { x: 2, y: 4, z: 2 });
      expectObservable(src.pipe(busy, sizes)).toBe('100ms x 203ms (y|)', { x: 6, y: 2 });
    });
  });

  it('counts chunks by their records and bytes, and keeps them in order', () => {
    run(({ cold, expectObservable }) => {
      const byCount = cold('a b c 300ms |', { a: parcel(0, 3, 1), b: parcel(1, 3, 1), c: parcel(2, 3, 1) });
      expectObservable(byCount.pipe(coalesce<C>({ maxRecords: 6, maxWaitMs: 100 }), chunks)).toBe(
        '-x 100ms y 200ms |',
        { x: 'c0,c1', y: 'c2' },
      );
      const byBytes = cold('a b c 300ms |', {
        a: parcel(0, 1, 50),
        b: parcel(1, 1, 50),
        c: parcel(2, 1, 50),
      });
      expectObservable(
        byBytes.pipe(coalesce<C>({ maxRecords: 100, maxBytes: 100, maxWaitMs: 100 }), chunks),
      ).toBe('-x 100ms y 200ms |', { x: 'c0,c1', y: 'c2' });
    });
  });

  it('flushes what it holds when the source completes, and tears down its timer', () => {
    run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a|', { a: parcel(0) });
      expectObservable(src.pipe(coalesce<C>({ maxRecords: 100, maxWaitMs: 1000 }), sizes)).toBe('-(x|)', {
        x: 2,
      });
      expectSubscriptions(src.subscriptions).toBe('^!');
    });
  });

  it('acknowledges and nacks every original parcel in order', () => {
    const seen: string[] = [];
    const env = (p: number): Envelope<Parcel<C>> => ({
      ...parcel(p),
      ack: () => seen.push(`ack ${p}`),
      nack: () => seen.push(`nack ${p}`),
    });
    run(({ cold }) => {
      cold('ab|', { a: env(0), b: env(1) })
        .pipe(coalesce<C>({ maxRecords: 100, maxWaitMs: 10 }))
        .subscribe((joined) => {
          joined.ack();
          joined.nack(new Error('x'));
        });
    });
    expect(seen).toEqual(['ack 0', 'ack 1', 'nack 0', 'nack 1']);
  });

  it('keeps the detection tickets and sums the counts of the parcels it joins, in order', () => {
    const joined: Parcel<C>[] = [];
    run(({ cold }) => {
      cold('a b c|', { a: parcel(1, 2, 10, 7), b: parcel(2), c: parcel(3, 2, 10, 9) })
        .pipe(coalesce<C>({ maxRecords: 6, maxWaitMs: 100 }))
        .subscribe((env) => joined.push(env.payload));
    });
    expect(joined).toHaveLength(1);
    expect(joined[0]!.tickets).toEqual([7, 9]);
    expect(joined[0]!.stats.duplicates).toBe(6);
  });
});
