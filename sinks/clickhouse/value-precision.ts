const float = new Float64Array(1);
const words = new Uint32Array(float.buffer);
const LOW = 0; // little-endian: words[0] holds the low 32 bits of the 52-bit mantissa

/**
 * `x` with only the top `bits` of its 52 mantissa bits kept (the rest cut to zero), so that
 * Gorilla and ZSTD find long runs of zero bits. The relative error is below 2^-bits: 30 bits keep
 * about 9 significant digits (error < 1e-9), far finer than any system measurement. 52 returns
 * `x` unchanged. Integers below 2^bits, zero, infinities and NaN are never changed.
 */
export function keepMantissaBits(x: number, bits: number): number {
  if (bits >= 52) return x;
  const drop = 52 - bits;
  float[0] = x;
  if (drop <= 32) {
    words[LOW] = drop === 32 ? 0 : (words[LOW]! >>> drop) << drop;
  } else {
    words[LOW] = 0;
    words[1] = (words[1]! >>> (drop - 32)) << (drop - 32);
  }
  return float[0];
}
