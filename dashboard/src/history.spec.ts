import { joinHistory, rangeCovering } from './history';

describe('joinHistory', () => {
  it('puts live points after the history, skipping those the history already covers', () => {
    const [ts, values] = joinHistory(
      { ts: [10, 20, 30], values: [1, 2, 3] },
      { ts: [25, 30, 35, 40], values: [9, 9, 4, 5] },
      0,
    );
    expect(ts).toEqual([10, 20, 30, 35, 40]);
    expect(values).toEqual([1, 2, 3, 4, 5]);
  });

  it('drops points before the range, and works with either side empty', () => {
    expect(joinHistory({ ts: [10, 20], values: [1, 2] }, undefined, 15)).toEqual([[20], [2]]);
    expect(joinHistory({ ts: [], values: [] }, { ts: [5, 50], values: [1, 2] }, 10)).toEqual([[50], [2]]);
  });
});

describe('rangeCovering', () => {
  it('picks the shortest range that shows the moment, with room before it', () => {
    expect(rangeCovering(60_000).name).toBe('5m');
    expect(rangeCovering(10 * 60_000).name).toBe('15m');
    expect(rangeCovering(3 * 3_600_000).name).toBe('6h');
    expect(rangeCovering(30 * 24 * 3_600_000).name).toBe('7d');
  });
});
