import {
  DailyProfile,
  newDailyProfile,
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
}

export interface Expectation {
  expected: number;
  sigma: number;
  /** Sample-to-sample noise as a standard deviation, insensitive to trends (for slow shifts). */
  noise: number;
  seasonal: boolean;
}

export function newBaseline(t: number, x: number): Baseline {
  return {
    n: 0,
    firstT: t,
    lastT: t,
    lastX: x,
    resolution: Infinity,
    level: x,
    scale: 0,
    profile: newDailyProfile(x),
    profileScale: 0,
    plainError: 0,
    seasonalError: 0,
    stepScale: 0,
  };
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

  b.n++;
  b.lastT = t;
  b.lastX = x;
}
