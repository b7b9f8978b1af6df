import type { SlabView } from './slab-view';

/**
 * Turns a detector's raw statistic (≥ 0, larger = stranger) into a tail probability learned
 * from the series itself, so the same probability means the same rarity on any series.
 *
 * A decayed histogram on geometric bins holds the recent distribution of the statistic. Below
 * its 90th percentile the probability is read off the histogram; above it, the tail is a
 * generalised Pareto fitted by moments to the excesses over that threshold (peaks over
 * threshold, as in SPOT), so a series with frequent big spikes gets a heavy tail and its spikes
 * stay unremarkable. Memory is constant: one array of 3 × `BINS` single-precision numbers (the
 * counts, sums and squares of the bins; weights are rescaled long before single precision
 * overflows), so many series fit in memory.
 */
export const BINS = 16;
const LOWEST = 0.05;
const HIGHEST = 1000;
const RATIO = Math.pow(HIGHEST / LOWEST, 1 / (BINS - 2));
const LOG_RATIO = Math.log(RATIO);
const TAIL_FRACTION = 0.1;
/** Heaviest tail allowed (a shape of 1 has no mean). */
const MAX_SHAPE = 0.8;
const RESCALE_AT = 1e24;
/** Statistics are learned up to this value (their squares, times the weight, stay finite in single precision). */
const STAT_CAP = 1e5;

/** Lower edge of bin k (bin 0 starts at 0). */
const EDGES = Float64Array.from({ length: BINS + 1 }, (_, k) =>
  k === 0 ? 0 : k === BINS ? Infinity : LOWEST * Math.pow(RATIO, k - 1),
);

/** A calibrator as plain data (a saved state): its bins from `at` in `bins`. */
export interface SavedCalibrator {
  bins: Float32Array;
  at: number;
  total: number;
  tailRun: number;
  weight: number;
}

/** A calibrator's own numbers (its bins live apart, in single precision), as a state slab keeps them. */
export const CALIBRATOR_FIELDS = ['total', 'tailRun', 'weight'] as const;

/** Numbers a calibrator keeps in its series' shared `bins` array. */
export const CALIBRATOR_SIZE = 3 * BINS;

/**
 * One calibrator of the series its slab points it at: its three numbers lie in `f` from `i`
 * (`CALIBRATOR_FIELDS`), its bins in `bins` from `at` (−1: a detector that needs none). Its
 * accessors are written out, each a function of its own that V8 sees used on this class alone
 * and inlines: they run four times per sample.
 */
export class Calibrator implements SlabView {
  constructor(
    public f: Float64Array,
    public i: number,
    /**
     * Per bin, from `at`: decayed weight (at + k), decayed sum of the statistic (at + BINS + k),
     * of its square (at + 2·BINS + k). The calibrators of one series share one array.
     */
    public bins: Float32Array,
    public at: number,
  ) {}

  get total(): number {
    return this.f[this.i]!;
  }
  set total(v: number) {
    this.f[this.i] = v;
  }
  /** Consecutive observations that were in the far tail when they came. */
  get tailRun(): number {
    return this.f[this.i + 1]!;
  }
  set tailRun(v: number) {
    this.f[this.i + 1] = v;
  }
  /** Weight of the next observation (grows instead of decaying every bin). */
  get weight(): number {
    return this.f[this.i + 2]!;
  }
  set weight(v: number) {
    this.f[this.i + 2] = v;
  }
}

/** A calibrator of its own, outside any slab, that has seen nothing. */
export function newCalibrator(): Calibrator {
  const c = new Calibrator(
    new Float64Array(CALIBRATOR_FIELDS.length),
    0,
    new Float32Array(CALIBRATOR_SIZE),
    0,
  );
  c.weight = 1;
  return c;
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
  const x = stat < STAT_CAP ? stat : STAT_CAP;
  const b = c.bins;
  const o = c.at;
  b[o + k]! += w;
  b[o + BINS + k]! += w * x;
  b[o + 2 * BINS + k]! += w * x * x;
  c.total += w;
  c.weight /= 1 - decay;
  if (c.weight > RESCALE_AT) {
    const f = 1 / c.weight;
    for (let i = o; i < o + CALIBRATOR_SIZE; i++) b[i]! *= f;
    c.total *= f;
    c.weight = 1;
  }
}

/** The highest bin holding weight (0 if none): every sum over the bins above it is 0. */
function topBin(c: Calibrator): number {
  let j = BINS - 1;
  while (j > 0 && c.bins[c.at + j] === 0) j--;
  return j;
}

/**
 * P(statistic ≥ stat) under the learned distribution; 1 when nothing was observed. `k` is
 * `binOf(stat)`. Sums skip the empty bins at the top, which add exact zeros.
 */
export function exceedance(c: Calibrator, stat: number, k = binOf(stat)): number {
  if (c.total <= 0 || !(stat > 0)) return 1;
  const top = topBin(c);
  const b = c.bins;
  const o = c.at;
  let j = top;
  let tailWeight = 0;
  let tailSum = 0;
  let tailSquares = 0;
  const wanted = TAIL_FRACTION * c.total;
  for (; j >= 0; j--) {
    const w = b[o + j]!;
    if (tailWeight + w < wanted && j > 0) {
      tailWeight += w;
      tailSum += b[o + BINS + j]!;
      tailSquares += b[o + 2 * BINS + j]!;
      continue;
    }
    break;
  }
  // The tail starts inside bin j, where the weight above reaches TAIL_FRACTION: the needed share
  // is cut from the bin's top, with a linear density inside the bin that has the bin's mean.
  let threshold = EDGES[Math.max(j, 0)]!;
  if (j <= 0) {
    // Most of the weight sits at about 0 (a detector that seldom finds anything): the tail is
    // what lies above bin 0, never a fit through the point mass; none yet is 1 in what was seen.
    threshold = EDGES[1]!;
    if (stat >= threshold)
      return tailWeight > 0
        ? tailProbability(c, threshold, tailWeight, tailSum, tailSquares, stat)
        : 1 / (c.total + 1);
  } else if (b[o + j]! > 0 && stat >= threshold) {
    const w = b[o + j]!;
    const lo = EDGES[j]!;
    const width = (Number.isFinite(EDGES[j + 1]!) ? EDGES[j + 1]! : (2 * b[o + BINS + j]!) / w) - lo;
    const need = Math.min(w, Math.max(0, wanted - tailWeight));
    const cut = splitBin(need / w, (b[o + BINS + j]! / w - lo) / width);
    threshold = lo + cut.from * width;
    const mean = lo + cut.mean * width;
    tailWeight += need;
    tailSum += need * mean;
    tailSquares += need * mean * mean;
  }
  if (stat > threshold) return tailProbability(c, threshold, tailWeight, tailSum, tailSquares, stat);
  // Inside the body: weight of the bins above, plus the part of stat's bin above it.
  let above = 0;
  for (let i = k + 1; i <= top; i++) above += b[o + i]!;
  const lo = EDGES[k]!;
  const hi = EDGES[k + 1]!;
  const part = Number.isFinite(hi) ? (hi - stat) / (hi - lo) : 0;
  return Math.min(1, (above + part * b[o + k]!) / c.total);
}

/**
 * Where the top `share` of a bin on [0, 1] begins, and that part's mean, for the linear density
 * 1 + s·(y − ½) whose mean is `mean` (slope clamped so the density stays ≥ 0).
 */
function splitBin(share: number, mean: number): { from: number; mean: number } {
  const s = Math.max(-2, Math.min(2, 12 * (mean - 0.5)));
  const c = share - 0.5 - s / 8;
  const z = Math.abs(s) < 1e-6 ? -c : (-1 + Math.sqrt(Math.max(0, 1 - 2 * s * c))) / s;
  const from = Math.max(0, Math.min(1, 0.5 + z));
  const first = (1 - from * from) / 2;
  const second = (1 - from ** 3) / 3 - first / 2;
  return { from, mean: share > 0 ? Math.min(1, Math.max(from, (first + s * second) / share)) : from };
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
