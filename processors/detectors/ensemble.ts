import { expect, initBaseline, learn, rebase } from './baseline';
import { newStepContext, type Detector, type StepContext } from './detector';
import { drift } from './drift';
import { flatline } from './flatline';
import { levelShift } from './level-shift';
import { novelRange } from './novel-range';
import { AlarmOptions, alarmStep, DEFAULT_ALARM } from './onset-alarm';
import { rateOfChange } from './rate-of-change';
import { assign } from './slab-view';
import { spike } from './spike';
import { SeriesState, SeriesViews, StateSlab } from './state-slab';
import { binOf, exceedance, observe } from './tail-calibrator';
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

export type { SeriesState };

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
const ctx: StepContext = newStepContext();

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

const resolvedOf = (options: Partial<EnsembleOptions>) => {
  let r = resolved.get(options);
  if (!r) resolved.set(options, (r = resolve(options)));
  return r;
};

/**
 * A slab for the states of up to `capacity` series scored with these options (a store of many
 * series shares one; `state-slab.ts`).
 */
export function stateSlab(options: Partial<EnsembleOptions>, capacity: number): StateSlab {
  return new StateSlab(resolvedOf(options).detectors, capacity);
}

/**
 * The detectors combined for one series: each one's statistic becomes a tail probability
 * calibrated on the series itself, the smallest (Bonferroni-corrected for the number of
 * detectors) is the sample's strangeness, which `onset-alarm.ts` turns into the score: an alarm
 * where an anomaly starts. Pure and deterministic: the same samples give the same scores, in
 * the stream and in `tidewatch detect`.
 *
 * Its state lives in a slot of a `StateSlab`, its own or one shared by many series; a series that
 * leaves a shared slab gives its slot back with `free`.
 */
export class SeriesDetector {
  private readonly o: EnsembleOptions;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly detectors: Detector<any>[];
  private readonly slab: StateSlab;
  /** The state's slot in the slab; −1 before the first sample. */
  private slot = -1;
  private lastDetector = -1;

  constructor(options: Partial<EnsembleOptions> = NO_OPTIONS, state?: SeriesState, slab?: StateSlab) {
    const r = resolvedOf(options);
    this.o = r.o;
    this.detectors = r.detectors;
    this.slab = slab ?? new StateSlab(r.detectors, 1);
    const same =
      this.slab.detectors.length === r.detectors.length &&
      this.slab.detectors.every((d, i) => d === r.detectors[i]);
    if (!same) throw new Error('the state slab was made for other detectors');
    if (state) this.slab.load((this.slot = this.slab.allocate()), state);
  }

  /** Takes a slot of the slab that already holds this series' state (restored ahead of its first sample). */
  adopt(slot: number): this {
    if (this.slot >= 0) throw new Error('the detector has a state already');
    this.slot = slot;
    return this;
  }

  /** Whether it has learned anything yet (a state to save). */
  get learned(): boolean {
    return this.slot >= 0;
  }

  /** Its state as plain data (undefined before the first sample). */
  save(): SeriesState | undefined {
    return this.slot < 0 ? undefined : this.slab.save(this.slot);
  }

  /** Its state as its slab's bytes (`StateSlab.bytesOf`; undefined before the first sample). */
  saveBytes(): Buffer | undefined {
    return this.slot < 0 ? undefined : this.slab.bytesOf(this.slot);
  }

  /** Gives its slot back to the slab: the detector starts afresh if it steps again. */
  free(): void {
    if (this.slot < 0) return;
    this.slab.release(this.slot);
    this.slot = -1;
  }

  /** Scores one sample. The verdict is shared and overwritten by the next step of any series: read it first. */
  step(t: number, x: number): Readonly<Verdict> {
    const fresh = this.slot < 0;
    if (fresh) this.slab.reset((this.slot = this.slab.allocate()));
    const s = this.slab.at(this.slot);
    const b = s.baseline;
    if (fresh) initBaseline(b, t, x);
    expect(b, t, ctx);
    ctx.t = t;
    ctx.x = x;
    ctx.prevX = fresh ? NaN : b.lastX;
    ctx.dt = fresh ? 0 : t - b.lastT;
    ctx.level = b.level;
    if (fresh)
      for (let i = 0; i < this.detectors.length; i++)
        assign(s.detectors[i]!, this.slab.detectorFields[i]!, this.detectors[i]!.init(ctx));
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
  private adapt(s: SeriesViews, t: number): void {
    rebase(s.baseline, t);
    ctx.level = s.baseline.level;
    for (let i = 0; i < this.detectors.length; i++) this.detectors[i]!.adapt?.(s.detectors[i], ctx);
  }

  /** Why the last sample scored as it did, e.g. "CPU utilization 0.97 is far above its usual 0.25–0.40". */
  reason(label: string): string {
    if (this.slot < 0 || this.lastDetector < 0) return '';
    const i = this.lastDetector;
    return `${label} ${this.detectors[i]!.describe(this.slab.at(this.slot).detectors[i], ctx)}`;
  }
}
