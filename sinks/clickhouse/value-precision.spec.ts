import { keepMantissaBits } from './value-precision';

describe('keepMantissaBits', () => {
  it('returns the value unchanged at 52 bits', () => {
    for (const x of [0.1, Math.PI, -1e-300, 123456789.123]) expect(keepMantissaBits(x, 52)).toBe(x);
  });

  it('stays within a relative error of 2^-bits, never rounding away from zero', () => {
    for (const bits of [10, 20, 30, 40]) {
      for (const x of [0.1, Math.PI, 2.5e9 + 0.7, -7.123456789e-5, 0.2102161416383103]) {
        const q = keepMantissaBits(x, bits);
        expect(Math.abs(q - x) / Math.abs(x)).toBeLessThan(2 ** -bits);
        expect(Math.abs(q)).toBeLessThanOrEqual(Math.abs(x));
      }
    }
  });

  it('keeps integers below 2^bits, zero, infinities and NaN exactly', () => {
    for (const x of [0, -0, 1, 17179869184, 1023, Infinity, -Infinity])
      expect(Object.is(keepMantissaBits(x, 30), x)).toBe(true);
    expect(keepMantissaBits(NaN, 30)).toBeNaN();
  });

  it('zeroes the dropped low bits', () => {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, keepMantissaBits(0.1, 30), true);
    expect(view.getUint32(0, true) & ((1 << 22) - 1)).toBe(0);
  });
});
