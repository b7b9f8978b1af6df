import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { batchOf, movableAssignment, sample } from './__fixtures__/batches';
import { dedupe } from './dedupe';

const ids = (...list: string[]) =>
  list.map((id) => expect.objectContaining({ value: expect.objectContaining({ event_id: id }) }));

describe('dedupe stage', () => {
  it('drops ids seen before, within and across batches, and counts them', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const a = batchOf([sample({ event_id: '1' }), sample({ event_id: '2' }), sample({ event_id: '1' })]);
      const b = batchOf([sample({ event_id: '2' }), sample({ event_id: '3' })]);
      expectObservable(cold('a b|', { a, b }).pipe(dedupe())).toBe('a b|', {
        a: expect.objectContaining({
          payload: expect.objectContaining({
            records: ids('1', '2'),
            stats: expect.objectContaining({ duplicates: 1 }),
          }),
        }),
        b: expect.objectContaining({
          payload: expect.objectContaining({
            records: ids('3'),
            stats: expect.objectContaining({ duplicates: 1 }),
          }),
        }),
      });
    });
  });

  it('forgets ids past the age limit (virtual time) and past the count limit', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const one = batchOf([sample({ event_id: '1' })]);
      const out = cold('a 999ms a 1000ms a|', { a: one }).pipe(dedupe({ maxAgeMs: 1500 }));
      expectObservable(out).toBe('a 999ms b 1000ms c|', {
        a: expect.objectContaining({ payload: expect.objectContaining({ records: ids('1') }) }),
        b: expect.objectContaining({ payload: expect.objectContaining({ records: [] }) }),
        c: expect.objectContaining({ payload: expect.objectContaining({ records: ids('1') }) }),
      });
    });
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const a = batchOf([sample({ event_id: '1' }), sample({ event_id: '2' }), sample({ event_id: '3' })]);
      const b = batchOf([sample({ event_id: '1' }), sample({ event_id: '3' })]);
      expectObservable(cold('a b|', { a, b }).pipe(dedupe({ maxEntries: 2 }))).toBe('a b|', {
        a: expect.anything(),
        b: expect.objectContaining({ payload: expect.objectContaining({ records: ids('1') }) }),
      });
    });
  });

  it('past the count limit forgets the oldest ids whichever partition holds them', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const h = (...n: number[]) => n.map((i) => sample({ event_id: `h:1:${i}` }));
      const g = (...n: number[]) => n.map((i) => sample({ event_id: `g:1:${i}` }));
      const batches = {
        a: batchOf(h(1, 2), 0),
        b: batchOf(g(1), 1),
        // Two over the limit: h:1:1 and h:1:2 go, both older than g:1:1.
        c: batchOf(h(3, 4, 5), 0),
        // Two over again: g:1:1 goes, then h:1:3, now older than g:1:2.
        d: batchOf(g(2, 3), 1),
        e: batchOf(h(1, 3, 4), 0),
        f: batchOf(g(1, 2), 1),
      };
      const out = cold('a 9ms b 9ms c 9ms d e f|', batches).pipe(dedupe({ maxEntries: 4 }));
      expectObservable(out).toBe('a 9ms b 9ms c 9ms d e f|', {
        a: expect.anything(),
        b: expect.anything(),
        c: expect.anything(),
        d: expect.anything(),
        e: expect.objectContaining({ payload: expect.objectContaining({ records: ids('h:1:1', 'h:1:3') }) }),
        f: expect.objectContaining({ payload: expect.objectContaining({ records: ids('g:1:1') }) }),
      });
    });
  });

  it('tears down upstream on unsubscribe', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(
      ({ cold, expectObservable, expectSubscriptions }) => {
        const src = cold('a---|', { a: batchOf([sample()]) });
        expectObservable(src.pipe(dedupe()), '^--!').toBe('a--', { a: expect.anything() });
        expectSubscriptions(src.subscriptions).toBe('^--!');
      },
    );
  });
});

describe('dedupe stage across a rebalance', () => {
  it('passes records of a revoked partition unremembered, and forgets its ids for when it comes back', () => {
    const { assignment, rebalance } = movableAssignment([0, 1]);
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const p0 = batchOf([sample({ event_id: 'x' })], 0);
      const p1 = batchOf([sample({ event_id: 'y' })], 1);
      cold('----- a', { a: 0 }).subscribe(rebalance([0])); // partition 1 revoked at 5ms
      cold('20ms a', { a: 0 }).subscribe(rebalance([0, 1])); // and back at 20ms
      const out = cold('a b 10ms c d 10ms f|', { a: p0, b: p1, c: p0, d: p1, f: p1 }).pipe(
        dedupe({ assignment }),
        map((env) => env.payload.records.map((r) => r.value.event_id).join()),
      );
      expectObservable(out).toBe('a b 10ms c d 10ms f|', { a: 'x', b: 'y', c: '', d: 'y', f: 'y' });
    });
  });
});
