import { EXACT_VALUES, ValueDigest } from './value-digest';

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The reference: sort, then interpolate between the two closest ranks of q·(n−1). */
function byFullSort(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = q * (sorted.length - 1);
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

const QS = [0, 0.01, 0.5, 0.9, 0.95, 0.99, 1];

describe('ValueDigest', () => {
  it('gives a single sample as its every quantile (no sketch error below min or above max)', () => {
    for (const v of [2.0, 2.58, -7.25, 0, 1e-9, 123456.789]) {
      const d = new ValueDigest();
      d.add(v);
      expect(d.quantiles([0.5, 0.95, 0.99])).toEqual([v, v, v]);
    }
  });

  it('matches a full sort exactly up to EXACT_VALUES samples, and stays within [min, max] past it', () => {
    const rnd = random(42);
    const wrong: string[] = [];
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(rnd() * 60);
      const scale = 10 ** Math.floor(rnd() * 8 - 4);
      const values = Array.from({ length: n }, () =>
        rnd() < 0.2 ? Math.round(rnd() * 3) * scale : (rnd() - 0.3) * scale,
      );
      const d = new ValueDigest();
      values.forEach((v) => d.add(v));
      if (round % 3 === 0) d.compact(); // a closed window kept for corrections answers the same
      const got = d.quantiles(QS);
      const min = Math.min(...values);
      const max = Math.max(...values);
      for (let i = 0; i < QS.length; i++) {
        const q = got[i]!;
        if (!(q >= min && q <= max)) wrong.push(`round ${round} q${QS[i]}: ${q} outside [${min}, ${max}]`);
        if (n <= EXACT_VALUES && !Object.is(q, byFullSort(values, QS[i]!)))
          wrong.push(`round ${round} q${QS[i]}: ${q}, full sort ${byFullSort(values, QS[i]!)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps answering after compaction and more values (a corrected window)', () => {
    const d = new ValueDigest();
    [5, 1, 3].forEach((v) => d.add(v));
    d.compact();
    d.add(2);
    expect(d.quantiles([0, 0.5, 1])).toEqual([1, 2.5, 5]);
    for (let i = 0; i < 100; i++) d.add(i);
    d.compact();
    d.add(1000);
    const [p50, p99] = d.quantiles([0.5, 0.99]);
    expect(Math.abs(p50! - 50) / 50).toBeLessThan(0.05);
    expect(p99).toBeLessThanOrEqual(1000);
  });
});
