import { Baseline, expect, learn, newBaseline, rebase } from './baseline';
import type { Detector, StepContext } from './detector';
import { drift } from './drift';
import { flatline } from './flatline';
import { levelShift } from './level-shift';
import { novelRange } from './novel-range';
import { AlarmOptions, AlarmState, alarmStep, DEFAULT_ALARM, newAlarm } from './onset-alarm';
import { rateOfChange } from './rate-of-change';
import { spike } from './spike';
import { binOf, CALIBRATOR_SIZE, Calibrator, exceedance, newCalibrator, observe } from './tail-calibrator';
import { varianceChange } from './variance-change';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ALL: Detector<any>[] = [novelRange, spike, levelShift, drift, varianceChange, rateOfChange, flatline];
/** Every detector `detectors` may name. */
export const DETECTOR_NAMES = ALL.map((d) => d.name);
/**
 * The default combination, chosen on the development benchmark (`npm run bench -- detect`):
 * `spike` (distance from the expectation in sigmas) and `variance` are left out, since `range`
 * and `rate` find what they find on bursty real series with fewer false alarms (variance changes
 * were caught as often without `variance`), and every calibrated detector is a fifth of a
 * series' state.
 */
export const DEFAULT_DETECTORS = DETECTOR_NAMES.filter((name) => name !== 'spike' && name !== 'variance');

export interface EnsembleOptions {
  /** Detectors to combine (default: `DEFAULT_DETECTORS`). */
  detectors: string[];
  /** Samples before any score: the baseline and calibration need history first. */
  warmup: number;
  /** Fraction of calibration weight forgotten per sample (1/2000: about the last 2000 samples). */
  calibrationDecay: number;
  /** When strangeness becomes an alarm (`onset-alarm.ts`). */
  alarm: AlarmOptions;
}

export const DEFAULT_ENSEMBLE: EnsembleOptions = {
  detectors: DEFAULT_DETECTORS,
  warmup: 50,
  calibrationDecay: 1 / 2000,
  alarm: DEFAULT_ALARM,
};

/** Samples the baseline learns before its statistics feed the calibration. */
const BASELINE_WARMUP = 10;
/**
 * A statistic this rare, for the second sample running or more, is learned at a small share:
 * a lone spike teaches the series that spikes happen, a lasting anomaly (a drift, a stall)
 * does not calibrate itself away while it goes on.
 */
const TAIL_LEARNING_BELOW = 1e-3;
const PERSISTENT_TAIL_SHARE = 0.02;
/** Rarer than this is not told apart: the tails are extrapolated from about the last 2000 samples. */
const MIN_P = 1e-20;

/** Everything one series needs: constant size, plain data (serialisable). */
export interface SeriesState {
  baseline: Baseline;
  detectors: unknown[];
  calibrators: Calibrator[];
  alarm: AlarmState;
}

export interface Verdict {
  /**
   * Anomaly score in [0, 1]: non-zero only where an anomaly is reported, at its onset (the
   * rarity of that sample on a log scale); 0 while it goes on and while all is calm.
   */
  score: number;
  /** Tail probability of this sample under the series' learned behaviour (after correction for the number of detectors). */
  p: number;
  /** The sample belongs to an episode of strange samples (an anomaly going on). */
  ongoing: boolean;
  /** The detector that found the sample strangest. */
  detector: string;
  expected: number;
  lower: number;
  upper: number;
  seasonal: boolean;
  /** Still learning: no score yet. */
  warmingUp: boolean;
}

/**
 * Maps a tail probability to a score: −log10(p) through a logistic centred on 4, so 0.5 means
 * about one sample in 10 000 is this strange, 0.95 one in a million, 0.99 one in 10^7.
 */
export function scoreOf(p: number): number {
  return scoreOfSurprise(-Math.log10(Math.max(p, 1e-300)));
}

/** The same from the surprise, −log10(p). */
export function scoreOfSurprise(surprise: number): number {
  return 1 / (1 + Math.exp(-1.5 * (surprise - 4)));
}

/**
 * One calibrator per detector, their bins in one array; a detector that gives a probability
 * itself (flatline) needs none and gets an empty one (`at` −1).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function newCalibrators(detectors: readonly Detector<any>[]): Calibrator[] {
  const calibrated = detectors.filter((d) => d.output === 'statistic').length;
  const bins = new Float32Array(calibrated * CALIBRATOR_SIZE);
  let next = 0;
  return detectors.map((d) => newCalibrator(bins, d.output === 'statistic' ? CALIBRATOR_SIZE * next++ : -1));
}

/** What `step` returns, overwritten by every step of every series (no allocation per sample). */
const verdict: Verdict = {
  score: 0,
  p: 1,
  ongoing: false,
  detector: '',
  expected: 0,
  lower: 0,
  upper: 0,
  seasonal: false,
  warmingUp: true,
};

/**
 * The context of the sample being scored, shared by every series (no allocation on the hot path,
 * no memory per series): it holds the last step's context, which `reason` reads, so read the
 * reason before another series steps.
 */
const ctx: StepContext = {
  t: 0,
  x: 0,
  prevX: NaN,
  dt: 0,
  level: 0,
  expected: 0,
  sigma: 0,
  noise: 0,
  seasonal: false,
};

const NO_OPTIONS: Partial<EnsembleOptions> = {};
/** Options resolved once per options object: every series of a store shares them. */
const resolved = new WeakMap<Partial<EnsembleOptions>, ReturnType<typeof resolve>>();
function resolve(options: Partial<EnsembleOptions>) {
  const o = { ...DEFAULT_ENSEMBLE, ...options };
  const detectors = o.detectors.map((name) => {
    const d = ALL.find((x) => x.name === name);
    if (!d) throw new Error(`unknown detector "${name}"; known: ${DETECTOR_NAMES.join(', ')}`);
    return d;
  });
  return { o, detectors };
}

/**
 * The detectors combined for one series: each one's statistic becomes a tail probability
 * calibrated on the series itself, the smallest (Bonferroni-corrected for the number of
 * detectors) is the sample's strangeness, which `onset-alarm.ts` turns into the score: an alarm
 * where an anomaly starts. Pure and deterministic: the same samples give the same scores, in
 * the stream and in `tidewatch detect`.
 */
export class SeriesDetector {
  private readonly o: EnsembleOptions;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly detectors: Detector<any>[];
  private lastDetector = -1;

  constructor(
    options: Partial<EnsembleOptions> = NO_OPTIONS,
    public state?: SeriesState,
  ) {
    let r = resolved.get(options);
    if (!r) resolved.set(options, (r = resolve(options)));
    this.o = r.o;
    this.detectors = r.detectors;
  }

  /** Scores one sample. The verdict is shared and overwritten by the next step of any series: read it first. */
  step(t: number, x: number): Readonly<Verdict> {
    let s = this.state;
    const fresh = s === undefined;
    const b = s?.baseline ?? newBaseline(t, x);
    expect(b, t, ctx);
    ctx.t = t;
    ctx.x = x;
    ctx.prevX = fresh ? NaN : b.lastX;
    ctx.dt = fresh ? 0 : t - b.lastT;
    ctx.level = b.level;
    if (!s) {
      s = this.state = {
        baseline: b,
        detectors: this.detectors.map((d) => d.init(ctx)),
        calibrators: newCalibrators(this.detectors),
        alarm: newAlarm(),
      };
    }
    const n = b.n;
    let pMin = 1;
    let which = 0;
    for (let i = 0; i < this.detectors.length; i++) {
      const d = this.detectors[i]!;
      const raw = d.step(s.detectors[i], ctx);
      let p = raw;
      if (d.output === 'statistic') {
        const cal = s.calibrators[i]!;
        p = 1;
        if (n >= BASELINE_WARMUP) {
          const k = binOf(raw);
          p = exceedance(cal, raw, k);
          cal.tailRun = p < TAIL_LEARNING_BELOW ? cal.tailRun + 1 : 0;
          const share = cal.tailRun > 1 ? PERSISTENT_TAIL_SHARE : 1;
          observe(cal, raw, this.o.calibrationDecay, share, k);
        }
      }
      if (p < pMin) {
        pMin = p;
        which = i;
      }
    }
    learn(b, t, x);
    this.lastDetector = which;
    const warmingUp = n < this.o.warmup;
    // A series never seen to change has shown nothing to measure a change against: a first change
    // is as likely as 1 in the samples seen (Laplace's rule of succession), not impossible.
    const floor = b.resolution === Infinity ? 1 / (n + 2) : 0;
    const p = warmingUp ? 1 : Math.max(floor, Math.min(1, pMin * this.detectors.length));
    const stuck = this.detectors[which] === flatline;
    const a = alarmStep(s.alarm, -Math.log10(Math.max(p, MIN_P)), stuck, this.o.alarm);
    if (a.adapt) this.adapt(s, t);
    verdict.score = a.alarm ? scoreOfSurprise(a.surprise) : 0;
    verdict.ongoing = a.ongoing;
    verdict.p = p;
    verdict.detector = this.detectors[which]!.name;
    verdict.expected = ctx.expected;
    verdict.lower = ctx.expected - 2 * ctx.sigma;
    verdict.upper = ctx.expected + 2 * ctx.sigma;
    verdict.seasonal = ctx.seasonal;
    verdict.warmingUp = warmingUp;
    return verdict;
  }

  /** A lasting change: the baseline and the detectors that measure against it start from the new regime. */
  private adapt(s: SeriesState, t: number): void {
    rebase(s.baseline, t);
    ctx.level = s.baseline.level;
    for (let i = 0; i < this.detectors.length; i++) this.detectors[i]!.adapt?.(s.detectors[i], ctx);
  }

  /** Why the last sample scored as it did, e.g. "CPU utilization 0.97 is far above its usual 0.25–0.40". */
  reason(label: string): string {
    if (!this.state || this.lastDetector < 0) return '';
    const i = this.lastDetector;
    return `${label} ${this.detectors[i]!.describe(this.state.detectors[i], ctx)}`;
  }
}
