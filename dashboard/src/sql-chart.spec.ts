import { chartable } from './sql-chart';

describe('chartable', () => {
  it('charts a result with a time column and numeric columns, sorted by time', () => {
    const data = chartable(
      [
        { name: 'minute', type: "DateTime('UTC')" },
        { name: 'p95', type: 'Float64' },
        { name: 'n', type: 'UInt64' },
      ],
      [
        { minute: '2026-12-02 10:01:00', p95: 0.5, n: '3' },
        { minute: '2026-12-02 10:00:00', p95: null, n: '2' },
      ],
    );
    expect(data).toEqual({
      x: [Date.UTC(2026, 11, 2, 10) / 1000, Date.UTC(2026, 11, 2, 10, 1) / 1000],
      series: [
        { name: 'p95', values: [null, 0.5] },
        { name: 'n', values: [2, 3] },
      ],
    });
  });

  it('draws a line per value of the first text column', () => {
    const data = chartable(
      [
        { name: 't', type: 'DateTime' },
        { name: 'host', type: 'LowCardinality(String)' },
        { name: 'cpu', type: 'Float64' },
      ],
      [
        { t: '2026-12-02 10:00:00', host: 'a', cpu: 1 },
        { t: '2026-12-02 10:00:00', host: 'b', cpu: 2 },
        { t: '2026-12-02 10:01:00', host: 'a', cpu: 3 },
      ],
    );
    expect(data!.x).toHaveLength(2);
    expect(data!.series).toEqual([
      { name: 'a cpu', values: [1, 3] },
      { name: 'b cpu', values: [2, null] },
    ]);
  });

  it('says a result without time or without numbers is not a chart', () => {
    expect(
      chartable(
        [
          { name: 'host', type: 'String' },
          { name: 'n', type: 'UInt64' },
        ],
        [{ host: 'a', n: 1 }],
      ),
    ).toBe(undefined);
    expect(chartable([{ name: 't', type: 'DateTime64(3)' }], [{ t: '2026-12-02 10:00:00.000' }])).toBe(
      undefined,
    );
  });
});
