import { Detector, fmt } from './detector';

/**
 * Stuck values (a dead collector): a run of identical samples, scored by how likely such a run
 * is for this series. A Markov estimate, P(equal) · P(equal | equal)^(run − 1), so series that
 * often sit still (idle counters) are not flagged. While a run is already improbable the
 * probabilities stop learning, so a long flatline stays flagged until the series moves again.
 * A series that has hardly ever changed (a counter that stays 0) has no flatline to find. Runs at
 * the lowest value seen (idle: 0 I/O, no pressure) are judged by their own P(equal | equal), so a
 * series that rests at its floor now and then does not alarm every time it rests.
 */
const ALPHA = 0.005;
const FROZEN_BELOW = 1e-4;
/** Weight of the even prior on P(equal | equal): a run must not teach itself that runs are normal. */
const PRIOR_RUNS = 5;
/** A series seen to change value fewer times than this has not shown that it moves: no finding. */
const MIN_MOVES = 10;

export interface FlatlineState {
  run: number;
  pEqual: number;
  pEqualAfterEqual: number;
  n: number;
  nAfterEqual: number;
  /** P(equal) when the current run began: the run's own samples must not make its start likelier. */
  pStart: number;
  value: number;
  /** Changes of value seen (counted up to MIN_MOVES). */
  moves: number;
  /** Lowest value seen, and P(equal | equal) within runs at it. */
  floor: number;
  pRestAfterEqual: number;
  nRest: number;
}

const resting = (s: FlatlineState) => s.value <= s.floor;
const probability = (s: FlatlineState) =>
  s.run === 0 ? 1 : s.pStart * Math.pow(resting(s) ? s.pRestAfterEqual : s.pEqualAfterEqual, s.run - 1);

export const flatline: Detector<FlatlineState> = {
  name: 'flatline',
  output: 'probability',
  init: (ctx) => ({
    run: 0,
    pEqual: 0.5,
    pEqualAfterEqual: 0.5,
    n: 1,
    nAfterEqual: PRIOR_RUNS,
    pStart: 1,
    value: ctx.x,
    moves: 0,
    floor: ctx.x,
    pRestAfterEqual: 0.5,
    nRest: PRIOR_RUNS,
  }),
  step: (s, ctx) => {
    if (Number.isNaN(ctx.prevX)) return 1;
    const equal = Math.abs(ctx.x - ctx.prevX) <= 1e-12 * Math.max(1, Math.abs(ctx.x));
    const wasEqual = s.run > 0;
    const frozen = probability(s) < FROZEN_BELOW;
    if (equal && s.run === 0) s.pStart = s.pEqual;
    s.run = equal ? s.run + 1 : 0;
    s.value = ctx.x;
    if (ctx.x < s.floor) s.floor = ctx.x;
    if (!equal && s.moves < MIN_MOVES) s.moves++;
    const p = s.moves < MIN_MOVES ? 1 : probability(s);
    if (!frozen || !equal) {
      s.pEqual += Math.max(ALPHA, 1 / ++s.n) * ((equal ? 1 : 0) - s.pEqual);
      if (wasEqual && ctx.prevX <= s.floor)
        s.pRestAfterEqual += Math.max(ALPHA, 1 / ++s.nRest) * ((equal ? 1 : 0) - s.pRestAfterEqual);
      else if (wasEqual)
        s.pEqualAfterEqual += Math.max(ALPHA, 1 / ++s.nAfterEqual) * ((equal ? 1 : 0) - s.pEqualAfterEqual);
    }
    return p;
  },
  describe: (s) => `has been stuck at ${fmt(s.value)} for ${s.run + 1} samples`,
};
