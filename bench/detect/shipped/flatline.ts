import { Detector, fmt } from './detector';

/**
 * Stuck values (a dead collector): a run of identical samples, scored by how likely such a run
 * is for this series. A Markov estimate, P(equal) · P(equal | equal)^(run − 1), so series that
 * often sit still (idle counters) are not flagged. While a run is already improbable the
 * probabilities stop learning, so a long flatline stays flagged until the series moves again.
 */
const ALPHA = 0.005;
const FROZEN_BELOW = 1e-4;
/** Weight of the even prior on P(equal | equal): a run must not teach itself that runs are normal. */
const PRIOR_RUNS = 20;

export interface FlatlineState {
  run: number;
  pEqual: number;
  pEqualAfterEqual: number;
  n: number;
  nAfterEqual: number;
  /** P(equal) when the current run began: the run's own samples must not make its start likelier. */
  pStart: number;
  value: number;
}

const probability = (s: FlatlineState) =>
  s.run === 0 ? 1 : s.pStart * Math.pow(s.pEqualAfterEqual, s.run - 1);

export const flatline: Detector<FlatlineState> = {
  name: 'flatline',
  output: 'probability',
  init: () => ({
    run: 0,
    pEqual: 0.5,
    pEqualAfterEqual: 0.5,
    n: 1,
    nAfterEqual: PRIOR_RUNS,
    pStart: 1,
    value: 0,
  }),
  step: (s, ctx) => {
    if (Number.isNaN(ctx.prevX)) return 1;
    const equal = Math.abs(ctx.x - ctx.prevX) <= 1e-12 * Math.max(1, Math.abs(ctx.x));
    const wasEqual = s.run > 0;
    const frozen = probability(s) < FROZEN_BELOW;
    if (equal && s.run === 0) s.pStart = s.pEqual;
    s.run = equal ? s.run + 1 : 0;
    s.value = ctx.x;
    const p = probability(s);
    if (!frozen || !equal) {
      s.pEqual += Math.max(ALPHA, 1 / ++s.n) * ((equal ? 1 : 0) - s.pEqual);
      if (wasEqual)
        s.pEqualAfterEqual += Math.max(ALPHA, 1 / ++s.nAfterEqual) * ((equal ? 1 : 0) - s.pEqualAfterEqual);
    }
    return p;
  },
  describe: (s) => `has been stuck at ${fmt(s.value)} for ${s.run + 1} samples`,
};
