import type { Expectation } from './baseline';

/** What every detector sees for one sample: the sample, the step, and the baseline's expectation. */
export interface StepContext extends Expectation {
  t: number;
  x: number;
  /** Previous value (NaN for the first sample). */
  prevX: number;
  /** Ms since the previous sample (0 for the first). */
  dt: number;
  /** The baseline's current level (plain model). */
  level: number;
}

/** A context before any sample: zeros, no previous value. */
export const newStepContext = (): StepContext => ({
  t: 0,
  x: 0,
  prevX: NaN,
  dt: 0,
  level: 0,
  expected: 0,
  sigma: 0,
  noise: 0,
  seasonal: false,
});

/**
 * One online detector: pure, deterministic, constant memory per series. `step` returns a raw
 * statistic (≥ 0, larger = stranger, calibrated into a probability per series by the ensemble)
 * or, for `output: 'probability'`, a tail probability directly; it then learns the sample.
 */
export interface Detector<S> {
  readonly name: string;
  readonly output: 'statistic' | 'probability';
  init(ctx: StepContext): S;
  step(state: S, ctx: StepContext): number;
  /** After the baseline is re-centred on a new regime: forget what measured against the old one. */
  adapt?(state: S, ctx: StepContext): void;
  /** The finding in words, after the series' name: "is far above its usual 0.25–0.40". */
  describe(state: S, ctx: StepContext): string;
}

/** Three significant digits, no exponent for everyday magnitudes. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e7 || a < 1e-3)) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}

export const range = (ctx: Expectation) =>
  `${fmt(ctx.expected - 2 * ctx.sigma)}–${fmt(ctx.expected + 2 * ctx.sigma)}${ctx.seasonal ? ' for this hour' : ''}`;
