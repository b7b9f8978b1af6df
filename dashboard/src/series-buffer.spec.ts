import { SeriesBuffer } from './series-buffer';

describe('SeriesBuffer', () => {
  it('keeps points in time order and ignores ones not newer than the last', () => {
    const buf = new SeriesBuffer(10, 60_000);
    expect(buf.push(1000, 1)).toBe(true);
    expect(buf.push(1000, 2)).toBe(false);
    expect(buf.push(500, 3)).toBe(false);
    expect(buf.push(2000, 4)).toBe(true);
    expect(buf.ts).toEqual([1, 2]);
    expect(buf.values).toEqual([1, 4]);
  });

  it('is bounded by point count and by time window', () => {
    const byCount = new SeriesBuffer(3, 1e9);
    for (let i = 1; i <= 5; i++) byCount.push(i * 1000, i);
    expect(byCount.values).toEqual([3, 4, 5]);
    const byTime = new SeriesBuffer(100, 2000);
    for (let i = 1; i <= 5; i++) byTime.push(i * 1000, i);
    expect(byTime.values).toEqual([3, 4, 5]);
  });
});
