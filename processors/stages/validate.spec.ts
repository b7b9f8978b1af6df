import { firstValueFrom, from, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { MetricSample } from '../../schemas';
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
        sample({ event_id: 'attrs', ts: now, attributes: { k: 'v'.repeat(1025) } }),
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

  it('refuses identifying fields past their byte limits, counting UTF-8 bytes, and keeps the rest', async () => {
    const now = 1_700_000_000_000;
    const s = (over: Partial<MetricSample>) => sample({ ts: now, ...over });
    const attrs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    const cases: [Partial<MetricSample>, string | undefined, RegExp?][] = [
      [{ host: 'h'.repeat(253) }, undefined],
      [
        { host: 'h'.repeat(254) },
        'TW_ERR_OVERSIZE_FIELD',
        /^host "h{40}…" is 254 bytes, longer than the 253-byte limit$/,
      ],
      [{ host: 'é'.repeat(127) }, 'TW_ERR_OVERSIZE_FIELD', /254 bytes/], // 127 characters
      [{ host: 'x'.repeat(200 * 1024) }, 'TW_ERR_OVERSIZE_FIELD', /^host "x{40}…" is 204800 bytes/],
      [{ metric: 'm'.repeat(255) }, undefined],
      [{ metric: 'm'.repeat(256) }, 'TW_ERR_OVERSIZE_FIELD', /^metric /],
      [{ metric: 'm'.repeat(600 * 1024) }, 'TW_ERR_OVERSIZE_FIELD', /^metric .* 614400 bytes/],
      [{ unit: 'u'.repeat(63) }, undefined],
      [{ unit: 'u'.repeat(64) }, 'TW_ERR_OVERSIZE_FIELD', /^unit /],
      [{ event_id: 'e'.repeat(512) }, undefined],
      [{ event_id: 'e'.repeat(513) }, 'TW_ERR_OVERSIZE_FIELD', /^event_id /],
      [{ attributes: attrs(32) }, undefined],
      [{ attributes: attrs(33) }, 'TW_ERR_OVERSIZE_ATTRIBUTES', /more than 32 attributes/],
      [{ attributes: { ['k'.repeat(128)]: 'v' } }, undefined],
      [
        { attributes: { ['k'.repeat(129)]: 'v' } },
        'TW_ERR_OVERSIZE_ATTRIBUTES',
        /key .* longer than 128 bytes/,
      ],
      [{ attributes: { k: 'v'.repeat(1024) } }, undefined],
      [{ attributes: { k: '€'.repeat(342) } }, 'TW_ERR_OVERSIZE_ATTRIBUTES', /value longer than 1024 bytes/],
    ];
    const out = await firstValueFrom(
      validate({}, { now: () => now } as never)(
        from([batchOf(cases.map(([over], i) => s({ ...over, event_id: over.event_id ?? `e${i}` })))]),
      ),
    );
    const rejected = new Map(out.payload.rejects.map((r) => [Number(r.source_offset), r]));
    cases.forEach(([, code, reason], i) => {
      expect([i, rejected.get(i)?.error_code]).toEqual([i, code]);
      if (reason) expect(rejected.get(i)!.reason).toMatch(reason);
      if (code) expect(rejected.get(i)!.reason.length).toBeLessThan(200);
    });
    expect(out.payload.records).toHaveLength(cases.filter(([, code]) => !code).length);
  });

  it('checks types instead of relying on comparisons with undefined', async () => {
    const now = 1_700_000_000_000;
    const frozenBad = Object.freeze({ n: 5 }) as unknown as Record<string, string>;
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ host: 7 }, /^host is a number, not a string$/],
      [{ metric: null }, /^metric is null, not a string$/],
      [{ unit: undefined }, /^unit is missing, not a string$/],
      [{ event_id: { id: 1 } }, /^event_id is a object/],
      [{ ts: '1700000000000' }, /^ts is a string, not a number$/],
      [{ attributes: { n: 5 } }, /^attribute "n" is a number, not a string$/],
      [{ attributes: frozenBad }, /^attribute "n" is a number/],
      [{ attributes: frozenBad }, /^attribute "n" is a number/], // a bad shared map is never taken as checked
      [{ attributes: null }, /^attributes are null, not a map of strings$/],
      [{ attributes: ['a'] }, /^attributes are an array/],
    ];
    // Wrong types as a schema that is not the reader's would give them (the fixture needs a string host).
    const input = batchOf(bad.map((_, i) => sample({ event_id: `e${i}`, ts: now })));
    input.payload.records.forEach((r, i) => Object.assign(r.value, bad[i]![0]));
    const out = await firstValueFrom(validate({}, { now: () => now } as never)(from([input])));
    expect(out.payload.records).toEqual([]);
    expect(out.payload.rejects.map((r) => [r.error_code, r.reason])).toEqual(
      bad.map(([, reason]) => ['TW_ERR_INVALID_FIELD', expect.stringMatching(reason)]),
    );
  });

  it('takes its limits from its options, and survives an event time no Date can hold', async () => {
    const now = 1_700_000_000_000;
    const out = await firstValueFrom(
      validate({ maxHostBytes: 4, maxAttributes: 1 }, { now: () => now } as never)(
        from([
          batchOf([
            sample({ host: 'abcd', ts: now }),
            sample({ host: 'abcde', ts: now }),
            sample({ host: 'abcd', ts: now, attributes: { a: '1', b: '2' } }),
            sample({ host: 'abcd', ts: 1e20 }),
          ]),
        ]),
      ),
    );
    expect(out.payload.records).toHaveLength(1);
    expect(out.payload.rejects.map((r) => [r.error_code, r.reason])).toEqual([
      ['TW_ERR_OVERSIZE_FIELD', expect.stringMatching(/4-byte limit/)],
      ['TW_ERR_OVERSIZE_ATTRIBUTES', 'more than 1 attributes'],
      ['TW_ERR_INVALID_TIMESTAMP', expect.stringMatching(/^event time 100000000000000000000 is more than/)],
    ]);
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
