/**
 * Turns a detector's raw statistic (≥ 0, larger = stranger) into a tail probability learned
 * from the series itself, so the same probability means the same rarity on any series.
 *
 * A decayed histogram on geometric bins holds the recent distribution of the statistic. Below
 * its 90th percentile the probability is read off the histogram; above it, the tail is a
 * generalised Pareto fitted by moments to the excesses over that threshold (peaks over
 * threshold, as in SPOT), so a series with frequent big spikes gets a heavy tail and its spikes
 * stay unremarkable. Memory is constant: three arrays of `BINS` numbers.
 */
export const BINS = 32;
const LOWEST = 0.05;
const HIGHEST = 1000;
const RATIO = Math.pow(HIGHEST / LOWEST, 1 / (BINS - 2));
const LOG_RATIO = Math.log(RATIO);
const TAIL_FRACTION = 0.1;
/** Heaviest tail allowed (a shape of 1 has no mean). */
const MAX_SHAPE = 0.8;
const RESCALE_AT = 1e150;

/** Lower edge of bin k (bin 0 starts at 0). */
const EDGES = Float64Array.from({ length: BINS + 1 }, (_, k) =>
  k === 0 ? 0 : k === BINS ? Infinity : LOWEST * Math.pow(RATIO, k - 1),
);

export interface Calibrator {
  /** Decayed weight per bin. */
  counts: Float64Array;
  /** Decayed sum of the statistic per bin. */
  sums: Float64Array;
  /** Decayed sum of its square per bin. */
  squares: Float64Array;
  total: number;
  /** Consecutive observations that were in the far tail when they came. */
  tailRun: number;
  /** Weight of the next observation (grows instead of decaying every bin). */
  weight: number;
}

export function newCalibrator(): Calibrator {
  return {
    counts: new Float64Array(BINS),
    sums: new Float64Array(BINS),
    squares: new Float64Array(BINS),
    total: 0,
    tailRun: 0,
    weight: 1,
  };
}

/** The bin `stat` falls in (callers that both score and learn a statistic compute it once). */
export function binOf(stat: number): number {
  if (!(stat >= LOWEST)) return 0;
  const k = 1 + Math.floor(Math.log(stat / LOWEST) / LOG_RATIO);
  return k >= BINS ? BINS - 1 : k;
}

/**
 * Adds one observation; `decay` is the fraction of old weight forgotten per observation.
 * `share` < 1 learns an observation only partly (the ensemble uses it for samples already in
 * the far tail, so a long anomaly does not teach the calibration that it is normal).
 */
export function observe(c: Calibrator, stat: number, decay: number, share = 1, k = binOf(stat)): void {
  const w = c.weight * share;
  c.counts[k]! += w;
  c.sums[k]! += w * stat;
  c.squares[k]! += w * stat * stat;
  c.total += w;
  c.weight /= 1 - decay;
  if (c.weight > RESCALE_AT) {
    const f = 1 / c.weight;
    for (let i = 0; i < BINS; i++) {
      c.counts[i]! *= f;
      c.sums[i]! *= f;
      c.squares[i]! *= f;
    }
    c.total *= f;
    c.weight = 1;
  }
}

/** The highest bin holding weight (0 if none): every sum over the bins above it is 0. */
function topBin(c: Calibrator): number {
  let j = BINS - 1;
  while (j > 0 && c.counts[j] === 0) j--;
  return j;
}

/**
 * P(statistic ≥ stat) under the learned distribution; 1 when nothing was observed. `k` is
 * `binOf(stat)`. Sums skip the empty bins at the top, which add exact zeros.
 */
export function exceedance(c: Calibrator, stat: number, k = binOf(stat)): number {
  if (c.total <= 0 || !(stat > 0)) return 1;
  const top = topBin(c);
  // Tail threshold: the lower edge of the bin where the top TAIL_FRACTION of the weight begins.
  let j = top;
  let tailWeight = c.counts[j]!;
  let tailSum = c.sums[j]!;
  let tailSquares = c.squares[j]!;
  while (j > 0 && tailWeight < TAIL_FRACTION * c.total) {
    j--;
    tailWeight += c.counts[j]!;
    tailSum += c.sums[j]!;
    tailSquares += c.squares[j]!;
  }
  const threshold = EDGES[j]!;
  if (stat > threshold) return tailProbability(c, threshold, tailWeight, tailSum, tailSquares, stat);
  // Inside the body: weight of the bins above, plus the part of stat's bin above it.
  let above = 0;
  for (let i = k + 1; i <= top; i++) above += c.counts[i]!;
  const lo = EDGES[k]!;
  const hi = EDGES[k + 1]!;
  const part = Number.isFinite(hi) ? (hi - stat) / (hi - lo) : 0;
  return Math.min(1, (above + part * c.counts[k]!) / c.total);
}

/** Generalised Pareto tail over `threshold`, shape and scale by the method of moments. */
function tailProbability(
  c: Calibrator,
  threshold: number,
  weight: number,
  sum: number,
  squares: number,
  stat: number,
): number {
  const mean = Math.max(sum / weight - threshold, 0.1 * threshold, 0.05);
  const second = squares / weight - 2 * threshold * (sum / weight) + threshold * threshold;
  const variance = Math.max(second - mean * mean, 1e-12);
  const ratio = (mean * mean) / variance;
  const shape = Math.min(MAX_SHAPE, Math.max(0, 0.5 * (1 - ratio)));
  const excess = stat - threshold;
  const pThreshold = weight / c.total;
  if (shape < 1e-6) return pThreshold * Math.exp(-excess / mean);
  const scale = 0.5 * mean * (ratio + 1);
  return pThreshold * Math.pow(1 + (shape * excess) / scale, -1 / shape);
}
