import { seeded } from '../../bench/detect/random';
import { exceedance, newCalibrator, observe } from './tail-calibrator';

describe('tail calibrator', () => {
  it('says 1 before it has seen anything, and for a statistic of 0', () => {
    const c = newCalibrator();
    expect(exceedance(c, 5)).toBe(1);
    observe(c, 1, 0.001);
    expect(exceedance(c, 0)).toBe(1);
  });

  it('reads the body and extrapolates the tail of an exponential distribution', () => {
    const r = seeded(1);
    const c = newCalibrator();
    for (let i = 0; i < 20_000; i++) observe(c, -Math.log(Math.max(r.next(), 1e-12)), 1 / 5000);
    for (const x of [0.5, 1, 2, 4, 8, 12]) {
      const p = exceedance(c, x);
      expect(Math.log(p)).toBeGreaterThan(-x - 1);
      expect(Math.log(p)).toBeLessThan(-x + 1);
    }
  });

  it('gives a heavy-tailed statistic a heavy tail', () => {
    const r = seeded(2);
    const light = newCalibrator();
    const heavy = newCalibrator();
    for (let i = 0; i < 10_000; i++) {
      const z = Math.abs(r.normal());
      observe(light, z, 1 / 2000);
      observe(heavy, r.next() < 0.02 ? z + r.between(5, 15) : z, 1 / 2000);
    }
    expect(exceedance(heavy, 12)).toBeGreaterThan(1000 * exceedance(light, 12));
  });

  it('forgets: after a change, the recent distribution dominates', () => {
    const c = newCalibrator();
    for (let i = 0; i < 5000; i++) observe(c, 10, 1 / 500);
    for (let i = 0; i < 5000; i++) observe(c, 1, 1 / 500);
    expect(exceedance(c, 5)).toBeLessThan(0.01);
  });
});

describe('tail calibrator on a statistic that is mostly 0', () => {
  it('reads a finding of the usual size as about as rare as such findings are, not as extreme', () => {
    const r = seeded(3);
    const c = newCalibrator();
    for (let i = 0; i < 10_000; i++) observe(c, r.next() < 0.01 ? r.between(0.5, 2) : 0, 1 / 2000);
    const p = exceedance(c, 1.5);
    expect(p).toBeGreaterThan(1e-3);
    expect(p).toBeLessThan(0.01);
    expect(exceedance(c, 20)).toBeLessThan(p / 100);
  });
});
