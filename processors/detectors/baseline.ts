import {
  DailyProfile,
  initDailyProfile,
  profileLearn,
  profilePredict,
  SEASONAL_MIN_SPAN_MS,
} from './daily-profile';
import type { SlabView } from './slab-view';

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

/** A baseline lives in a state slab (`state-slab.ts`); `learn` and `expect` index its record directly. */
export interface Baseline extends SlabView {
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
] as const satisfies ReadonlyArray<Exclude<keyof Baseline, 'profile' | keyof SlabView>>;

/** Where each number lies in a baseline's record. */
const at = (name: (typeof BASELINE_FIELDS)[number]) => BASELINE_FIELDS.indexOf(name);
const N = at('n');
const FIRST_T = at('firstT');
const LAST_T = at('lastT');
const LAST_X = at('lastX');
const RESOLUTION = at('resolution');
const LEVEL = at('level');
const SCALE = at('scale');
const PROFILE_SCALE = at('profileScale');
const PLAIN_ERROR = at('plainError');
const SEASONAL_ERROR = at('seasonalError');
const STEP_SCALE = at('stepScale');
const FAST = at('fast');
const FAST_DEV = at('fastDev');

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

/** Below this a scale is not told apart from 0: half the resolution, or a billionth of the level. */
const floorOf = (resolution: number, level: number) =>
  Math.max(Number.isFinite(resolution) ? resolution / 2 : 0, 1e-9 * (Math.abs(level) + 1));

export function useSeasonal(b: Baseline): boolean {
  const f = b.f;
  const o = b.i;
  return (
    f[o + LAST_T]! - f[o + FIRST_T]! >= SEASONAL_MIN_SPAN_MS &&
    f[o + SEASONAL_ERROR]! < 0.8 * f[o + PLAIN_ERROR]!
  );
}

/** The expectation for a sample at time t, before it is learned, written into `out`. */
export function expect(b: Baseline, t: number, out: Expectation): Expectation {
  const f = b.f;
  const o = b.i;
  const resolution = f[o + RESOLUTION]!;
  const level = f[o + LEVEL]!;
  out.noise = (MAD_TO_SIGMA / Math.SQRT2) * Math.max(f[o + STEP_SCALE]!, floorOf(resolution, level));
  out.seasonal = useSeasonal(b);
  out.expected = out.seasonal ? profilePredict(b.profile, t) : level;
  const scale = out.seasonal ? f[o + PROFILE_SCALE]! : f[o + SCALE]!;
  out.sigma = MAD_TO_SIGMA * Math.max(scale, floorOf(resolution, out.expected));
  return out;
}

const clip = (r: number, bound: number) => (r > bound ? bound : r < -bound ? -bound : r);

/**
 * Learns one sample. The first samples are averaged plainly so the baseline starts fast. It runs
 * for every sample of every series, so it reads and writes the record's numbers by index rather
 * than through the view's accessors.
 */
export function learn(b: Baseline, t: number, x: number): void {
  const f = b.f;
  const o = b.i;
  const n = f[o + N]!;
  const level = f[o + LEVEL]!;
  let resolution = f[o + RESOLUTION]!;
  const step = Math.abs(x - f[o + LAST_X]!);
  if (n > 0 && step > 0 && step < resolution) f[o + RESOLUTION] = resolution = step;
  const warm = 1 / (n + 1);
  const a = Math.max(LEVEL_ALPHA, warm);
  const sa = Math.max(SCALE_ALPHA, warm);
  const dt = n > 0 ? t - f[o + LAST_T]! : 0;
  if (n > 0) {
    const stepScale = f[o + STEP_SCALE]!;
    const stepBound = 4 * Math.max(stepScale, floorOf(resolution, level)) * (n < 10 ? Infinity : 1);
    f[o + STEP_SCALE] = stepScale + Math.max(SCALE_ALPHA, 1 / n) * (Math.min(step, stepBound) - stepScale);
  }

  const scale = f[o + SCALE]!;
  const plainSigma = MAD_TO_SIGMA * Math.max(scale, floorOf(resolution, level));
  const r = x - level;
  const rc = n < 10 ? r : clip(r, CLIP_SIGMAS * plainSigma);
  const plainError = f[o + PLAIN_ERROR]!;
  f[o + PLAIN_ERROR] = plainError + Math.max(ERROR_ALPHA, warm) * (Math.abs(r) - plainError);
  f[o + LEVEL] = level + a * rc;
  f[o + SCALE] = scale + sa * (Math.abs(rc) - scale);

  const predicted = profilePredict(b.profile, t);
  const profileScale = f[o + PROFILE_SCALE]!;
  const seasonalSigma = MAD_TO_SIGMA * Math.max(profileScale, floorOf(resolution, predicted));
  const rs = x - predicted;
  const rsc = n < 10 ? rs : clip(rs, CLIP_SIGMAS * seasonalSigma);
  const seasonalError = f[o + SEASONAL_ERROR]!;
  f[o + SEASONAL_ERROR] = seasonalError + Math.max(ERROR_ALPHA, warm) * (Math.abs(rs) - seasonalError);
  profileLearn(b.profile, t, dt, rsc, a);
  f[o + PROFILE_SCALE] = profileScale + sa * (Math.abs(rsc) - profileScale);

  const fa = Math.max(FAST_ALPHA, warm);
  const fast = f[o + FAST]!;
  const fastDev = f[o + FAST_DEV]!;
  f[o + FAST_DEV] = fastDev + fa * (Math.abs(x - fast) - fastDev);
  f[o + FAST] = fast + fa * (x - fast);

  f[o + N] = n + 1;
  f[o + LAST_T] = t;
  f[o + LAST_X] = x;
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
