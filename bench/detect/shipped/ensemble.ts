// The ensemble as shipped before scores became onset alarms (commit 98be347), kept unchanged as
// the reference `npm run bench -- detect` compares with; the product does not use it.
import { Baseline, expect, learn, newBaseline } from './baseline';
import type { Detector, StepContext } from './detector';
import { drift } from './drift';
import { flatline } from './flatline';
import { levelShift } from './level-shift';
import { rateOfChange } from './rate-of-change';
import { spike } from './spike';
import { binOf, Calibrator, exceedance, newCalibrator, observe } from './tail-calibrator';
import { varianceChange } from './variance-change';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ALL: Detector<any>[] = [spike, levelShift, drift, varianceChange, rateOfChange, flatline];
export const DETECTOR_NAMES = ALL.map((d) => d.name);

export interface EnsembleOptions {
  /** Detectors to combine (default: all). */
  detectors: string[];
  /** Samples before any score: the baseline and calibration need history first. */
  warmup: number;
  /** Fraction of calibration weight forgotten per sample (1/2000: about the last 2000 samples). */
  calibrationDecay: number;
}

export const DEFAULT_ENSEMBLE: EnsembleOptions = {
  detectors: DETECTOR_NAMES,
  warmup: 50,
  calibrationDecay: 1 / 2000,
};

/** Samples the baseline learns before its statistics feed the calibration. */
const BASELINE_WARMUP = 10;
/**
 * A statistic this rare, for the second sample running or more, is learned at a small share:
 * a lone spike teaches the series that spikes happen, a lasting anomaly (a drift, a stall)
 * does not calibrate itself away while it goes on.
 */
const TAIL_LEARNING_BELOW = 1e-3;
const PERSISTENT_TAIL_SHARE = 0.05;

/** Everything one series needs: constant size, plain data (serialisable). */
export interface SeriesState {
  baseline: Baseline;
  detectors: unknown[];
  calibrators: Calibrator[];
}

export interface Verdict {
  /** Anomaly score in [0, 1]: rarity on a log scale, the same meaning on every series. */
  score: number;
  /** Tail probability of this sample under the series' learned behaviour (after correction for the number of detectors). */
  p: number;
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
  const surprise = -Math.log10(Math.max(p, 1e-300));
  return 1 / (1 + Math.exp(-1.5 * (surprise - 4)));
}

/** What `step` returns, overwritten by every step of every series (no allocation per sample). */
const verdict: Verdict = {
  score: 0,
  p: 1,
  detector: '',
  expected: 0,
  lower: 0,
  upper: 0,
  seasonal: false,
  warmingUp: true,
};

/**
 * The detectors combined for one series: each one's statistic becomes a tail probability
 * calibrated on the series itself, the smallest (Bonferroni-corrected for the number of
 * detectors) gives the score. Pure and deterministic: the same samples give the same scores,
 * in the stream and in `tidewatch detect`.
 */
export class SeriesDetector {
  private readonly o: EnsembleOptions;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly detectors: Detector<any>[];
  /** Reused for every sample (no allocation on the hot path); holds the last sample's context. */
  private readonly ctx: StepContext = {
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
  private lastDetector = -1;

  constructor(
    options: Partial<EnsembleOptions> = {},
    public state?: SeriesState,
  ) {
    this.o = { ...DEFAULT_ENSEMBLE, ...options };
    this.detectors = this.o.detectors.map((name) => {
      const d = ALL.find((x) => x.name === name);
      if (!d) throw new Error(`unknown detector "${name}"; known: ${DETECTOR_NAMES.join(', ')}`);
      return d;
    });
  }

  /** Scores one sample. The verdict is shared and overwritten by the next step of any series: read it first. */
  step(t: number, x: number): Readonly<Verdict> {
    let s = this.state;
    const fresh = s === undefined;
    const b = s?.baseline ?? newBaseline(t, x);
    const ctx = this.ctx;
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
        calibrators: this.detectors.map(() => newCalibrator()),
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
          observe(cal, raw, this.o.calibrationDecay, cal.tailRun > 1 ? PERSISTENT_TAIL_SHARE : 1, k);
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
    const p = warmingUp ? 1 : Math.min(1, pMin * this.detectors.length);
    verdict.score = warmingUp ? 0 : scoreOf(p);
    verdict.p = p;
    verdict.detector = this.detectors[which]!.name;
    verdict.expected = ctx.expected;
    verdict.lower = ctx.expected - 2 * ctx.sigma;
    verdict.upper = ctx.expected + 2 * ctx.sigma;
    verdict.seasonal = ctx.seasonal;
    verdict.warmingUp = warmingUp;
    return verdict;
  }

  /** Why the last sample scored as it did, e.g. "CPU utilization 0.97 is far above its usual 0.25–0.40". */
  reason(label: string): string {
    const ctx = this.ctx;
    if (!this.state || this.lastDetector < 0) return '';
    const i = this.lastDetector;
    return `${label} ${this.detectors[i]!.describe(this.state.detectors[i], ctx)}`;
  }
}
