import { seeded } from '../../bench/detect/random';
import type { StepContext } from './detector';
import { novelRange } from './novel-range';

const ctx = (x: number, level: number): StepContext => ({
  t: 0,
  x,
  prevX: x,
  dt: 1000,
  level,
  expected: level,
  sigma: 1,
  noise: 1,
  seasonal: false,
});

describe('range detector', () => {
  it('seldom finds anything on a steady series, and measures a new high in envelope widths', () => {
    const r = seeded(1);
    const s = novelRange.init(ctx(100, 100));
    let inside = 0;
    for (let i = 0; i < 2000; i++) inside += novelRange.step(s, ctx(100 + 20 * r.normal(), 100)) > 0 ? 1 : 0;
    expect(inside / 2000).toBeLessThan(0.05);
    expect(novelRange.step(s, ctx(100, 100))).toBe(0);
    const width = s.hi - s.lo;
    expect(novelRange.step(s, ctx(s.hi + width, 100))).toBeCloseTo(width / (width + 1), 6);
  });

  it('sees a positive series drop to a fifth of its lowest on a log scale, where the linear distance is small', () => {
    const r = seeded(2);
    const s = novelRange.init(ctx(1e6, 1e6));
    // bursty: mostly about 1e6, now and then 8× that
    for (let i = 0; i < 2000; i++)
      novelRange.step(s, ctx(1e6 * Math.exp(0.3 * r.normal()) * (r.next() < 0.02 ? 8 : 1), 1e6));
    const lo = s.lo;
    const linear = (lo - lo / 5) / (s.hi - lo + 1);
    expect(linear).toBeLessThan(0.2);
    expect(novelRange.step(s, ctx(lo / 5, 1e6))).toBeGreaterThan(3 * linear);
  });
});
