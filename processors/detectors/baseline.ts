import {
  DailyProfile,
  initDailyProfile,
  profileLearn,
  profilePredict,
  SEASONAL_MIN_SPAN_MS,
} from './daily-profile';

/**
 * The robust baseline every detector reads: what a sample is expected to be, and how far it
 * usually strays. Two models run side by side, a plain level and a level with a daily profile;
 * the seasonal one is used once the series spans two days and predicts clearly better.
 * Residuals are clipped at 3 sigma before they are learned (Huber), so outliers barely move it.
 */
const LEVEL_ALPHA = 0.02;
const SCALE_ALPHA = 0.02;
const ERROR_ALPHA = 0.01;
const FAST_ALPHA = 0.1;
const CLIP_SIGMAS = 3;
/** Mean absolute deviation to standard deviation, for normal noise. */
const MAD_TO_SIGMA = 1.2533;

export interface Baseline {
  n: number;
  firstT: number;
  lastT: number;
  lastX: number;
  /** Smallest non-zero step seen: the series' resolution, a floor for its scale. */
  resolution: number;
  level: number;
  scale: number;
  profile: DailyProfile;
  profileScale: number;
  /** Recent mean absolute error of each model, to choose between them. */
  plainError: number;
  seasonalError: number;
  /** Mean absolute step between samples: noise that a slow trend does not inflate. */
  stepScale: number;
  /** A fast, unclipped level and mean absolute deviation around it: the regime of the last few samples. */
  fast: number;
  fastDev: number;
}

export interface Expectation {
  expected: number;
  sigma: number;
  /** Sample-to-sample noise as a standard deviation, insensitive to trends (for slow shifts). */
  noise: number;
  seasonal: boolean;
}

/** The baseline's numbers, kept in a state slab; its daily profile is a record of its own there. */
export const BASELINE_FIELDS = [
  'n',
  'firstT',
  'lastT',
  'lastX',
  'resolution',
  'level',
  'scale',
  'profileScale',
  'plainError',
  'seasonalError',
  'stepScale',
  'fast',
  'fastDev',
] as const satisfies ReadonlyArray<Exclude<keyof Baseline, 'profile'>>;

/** A baseline that has seen nothing yet, about to learn its first sample (x at t). */
export function initBaseline(b: Baseline, t: number, x: number): void {
  b.n = 0;
  b.firstT = t;
  b.lastT = t;
  b.lastX = x;
  b.resolution = Infinity;
  b.level = x;
  b.scale = 0;
  initDailyProfile(b.profile, x);
  b.profileScale = 0;
  b.plainError = 0;
  b.seasonalError = 0;
  b.stepScale = 0;
  b.fast = x;
  b.fastDev = 0;
}

const floorOf = (b: Baseline, level: number) =>
  Math.max(Number.isFinite(b.resolution) ? b.resolution / 2 : 0, 1e-9 * (Math.abs(level) + 1));

export function useSeasonal(b: Baseline): boolean {
  return b.lastT - b.firstT >= SEASONAL_MIN_SPAN_MS && b.seasonalError < 0.8 * b.plainError;
}

/** The expectation for a sample at time t, before it is learned, written into `out`. */
export function expect(b: Baseline, t: number, out: Expectation): Expectation {
  out.noise = (MAD_TO_SIGMA / Math.SQRT2) * Math.max(b.stepScale, floorOf(b, b.level));
  out.seasonal = useSeasonal(b);
  out.expected = out.seasonal ? profilePredict(b.profile, t) : b.level;
  out.sigma = MAD_TO_SIGMA * Math.max(out.seasonal ? b.profileScale : b.scale, floorOf(b, out.expected));
  return out;
}

const clip = (r: number, bound: number) => (r > bound ? bound : r < -bound ? -bound : r);

/** Learns one sample. The first samples are averaged plainly so the baseline starts fast. */
export function learn(b: Baseline, t: number, x: number): void {
  const step = Math.abs(x - b.lastX);
  if (b.n > 0 && step > 0 && step < b.resolution) b.resolution = step;
  const warm = 1 / (b.n + 1);
  const a = Math.max(LEVEL_ALPHA, warm);
  const sa = Math.max(SCALE_ALPHA, warm);
  const dt = b.n > 0 ? t - b.lastT : 0;
  if (b.n > 0) {
    const stepBound = 4 * Math.max(b.stepScale, floorOf(b, b.level)) * (b.n < 10 ? Infinity : 1);
    b.stepScale += Math.max(SCALE_ALPHA, 1 / b.n) * (Math.min(step, stepBound) - b.stepScale);
  }

  const plainSigma = MAD_TO_SIGMA * Math.max(b.scale, floorOf(b, b.level));
  const r = x - b.level;
  const rc = b.n < 10 ? r : clip(r, CLIP_SIGMAS * plainSigma);
  b.plainError += Math.max(ERROR_ALPHA, warm) * (Math.abs(r) - b.plainError);
  b.level += a * rc;
  b.scale += sa * (Math.abs(rc) - b.scale);

  const predicted = profilePredict(b.profile, t);
  const seasonalSigma = MAD_TO_SIGMA * Math.max(b.profileScale, floorOf(b, predicted));
  const rs = x - predicted;
  const rsc = b.n < 10 ? rs : clip(rs, CLIP_SIGMAS * seasonalSigma);
  b.seasonalError += Math.max(ERROR_ALPHA, warm) * (Math.abs(rs) - b.seasonalError);
  profileLearn(b.profile, t, dt, rsc, a);
  b.profileScale += sa * (Math.abs(rsc) - b.profileScale);

  const fa = Math.max(FAST_ALPHA, warm);
  b.fastDev += fa * (Math.abs(x - b.fast) - b.fastDev);
  b.fast += fa * (x - b.fast);

  b.n++;
  b.lastT = t;
  b.lastX = x;
}

/**
 * Re-centres both models on the last few samples' regime (after a lasting change of level or
 * noise): the level jumps to the fast level, the scale to the spread around it, so the next
 * samples are judged against what the series does now. The daily profile keeps its shape.
 */
export function rebase(b: Baseline, t: number): void {
  b.level = b.fast;
  b.scale = b.fastDev;
  b.profile.level += b.fast - profilePredict(b.profile, t);
  b.profileScale = b.fastDev;
}
