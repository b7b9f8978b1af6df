import { firstValueFrom, from, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { batchOf, sample } from './__fixtures__/batches';
import { seriesKey } from './series-key';
import { validate } from './validate';

const run = (fn: (helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0]) => void) =>
  new TestScheduler((a, b) => expect(a).toEqual(b)).run(fn);

describe('validate stage', () => {
  it('moves bad samples to rejects with a code and reason, and keeps the rest', () => {
    run(({ cold, expectObservable }) => {
      const now = Date.UTC(2026, 0, 1);
      const scheduler = { now: () => now } as never;
      const good = sample({ ts: now - 1000 });
      const input = batchOf([
        good,
        sample({ event_id: 'nan', value: NaN, ts: now }),
        sample({ event_id: 'inf', value: -Infinity, ts: now }),
        sample({ event_id: 'text', value: '7' as unknown as number, ts: now }),
        sample({ event_id: 'old', ts: Date.UTC(1999, 11, 31) }),
        sample({ event_id: 'future', ts: now + 10 * 60_000 }),
        sample({ event_id: 'attrs', ts: now, attributes: { k: 'v'.repeat(300) } }),
      ]);
      const out = cold('a|', { a: input }).pipe(validate({}, scheduler));
      expectObservable(out).toBe('a|', {
        a: expect.objectContaining({
          payload: expect.objectContaining({
            records: [expect.objectContaining({ value: good })],
            rejects: [
              expect.objectContaining({
                error_code: 'TW_ERR_INVALID_VALUE',
                source_offset: '1',
                reason: expect.stringMatching(/NaN/),
              }),
              expect.objectContaining({ error_code: 'TW_ERR_INVALID_VALUE', source_offset: '2' }),
              expect.objectContaining({ error_code: 'TW_ERR_INVALID_VALUE', source_offset: '3' }),
              expect.objectContaining({
                error_code: 'TW_ERR_INVALID_TIMESTAMP',
                source_offset: '4',
                reason: expect.stringMatching(/before 2000/),
              }),
              expect.objectContaining({
                error_code: 'TW_ERR_INVALID_TIMESTAMP',
                source_offset: '5',
                reason: expect.stringMatching(/future/),
              }),
              expect.objectContaining({ error_code: 'TW_ERR_OVERSIZE_ATTRIBUTES', source_offset: '6' }),
            ],
          }),
        }),
      });
    });
  });

  it('caps new series per host, keeps known series flowing, and remembers across batches', () => {
    run(({ cold, expectObservable }) => {
      const now = 1_700_000_000_000;
      const s = (id: string, dev: string) =>
        sample({ event_id: id, ts: now, attributes: { 'system.device': dev } });
      const first = batchOf([s('1', 'a'), s('2', 'b'), s('3', 'c')]);
      const second = batchOf([s('4', 'a'), s('5', 'd'), sample({ event_id: '6', host: 'other', ts: now })]);
      const out = cold('a b|', { a: first, b: second }).pipe(
        validate({ maxSeriesPerHost: 2, maxHosts: 1 }, { now: () => now } as never),
      );
      const kept = (ids: string[]) =>
        ids.map((id) => expect.objectContaining({ value: expect.objectContaining({ event_id: id }) }));
      expectObservable(out).toBe('a b|', {
        a: expect.objectContaining({
          payload: expect.objectContaining({
            records: kept(['1', '2']),
            rejects: [expect.objectContaining({ error_code: 'TW_ERR_CARDINALITY_CAP' })],
          }),
        }),
        b: expect.objectContaining({
          payload: expect.objectContaining({
            records: kept(['4']),
            rejects: [
              expect.objectContaining({
                error_code: 'TW_ERR_CARDINALITY_CAP',
                reason: expect.stringMatching(/host h has more than 2 series/),
              }),
              expect.objectContaining({
                error_code: 'TW_ERR_CARDINALITY_CAP',
                reason: expect.stringMatching(/more than 1 hosts/),
              }),
            ],
          }),
        }),
      });
    });
  });

  it('finds a counted series by its shared attributes object: the same key, the same cap', async () => {
    const now = 1_700_000_000_000;
    const shared = Object.freeze({ 'cpu.mode': 'user' }); // as the serde's interned maps are
    const s = (id: string, metric: string, attributes: Record<string, string>) =>
      sample({ event_id: id, ts: now, metric, attributes });
    const batches = [
      batchOf([
        s('1', 'm1', shared),
        s('2', 'm1', { 'cpu.mode': 'user' }),
        s('3', 'm2', shared),
        s('4', 'm3', shared),
      ]),
      batchOf([s('5', 'm1', shared), s('6', 'm3', shared), s('7', 'm2', { 'cpu.mode': 'user' })]),
    ];
    const out = await firstValueFrom(
      from(batches).pipe(validate({ maxSeriesPerHost: 2 }, { now: () => now } as never), toArray()),
    );
    const records = out.flatMap((env) => env.payload.records);
    expect(records.map((r) => r.value.event_id)).toEqual(['1', '2', '3', '5', '7']);
    const byId = new Map(records.map((r) => [r.value.event_id, r.series]));
    expect(byId.get('1')).toBe(seriesKey(records[0]!.value));
    expect(byId.get('2')).toBe(byId.get('1'));
    expect(byId.get('5')).toBe(byId.get('1'));
    expect(byId.get('7')).toBe(byId.get('3'));
    expect(out.map((env) => env.payload.rejects.map((r) => r.source_offset))).toEqual([['3'], ['1']]);
  });

  it('starts each subscription with fresh state and unsubscribes upstream', () => {
    run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a--|', { a: batchOf([sample({ ts: 1_700_000_000_000 })]) });
      expectObservable(src.pipe(validate({}, { now: () => 1_700_000_000_000 } as never)), '^-!').toBe('a-', {
        a: expect.anything(),
      });
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });
});
