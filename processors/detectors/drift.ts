import { Detector, fmt } from './detector';

/**
 * A slow drift (a leak, a filling disk): the baseline's level against a ten times slower one,
 * in sigmas. A steady trend keeps them apart however slowly it moves.
 */
const ALPHA = 0.002;

export interface DriftState {
  slow: number;
  n: number;
}

export const drift: Detector<DriftState> = {
  name: 'drift',
  output: 'statistic',
  init: (ctx) => ({ slow: ctx.x, n: 0 }),
  step: (s, ctx) => {
    const stat = Math.abs(ctx.level - s.slow) / ctx.noise;
    const bound = 3 * ctx.noise;
    const r = ctx.level - s.slow;
    s.slow += Math.max(ALPHA, 1 / ++s.n) * (r > bound ? bound : r < -bound ? -bound : r);
    return stat;
  },
  adapt: (s, ctx) => {
    s.slow = ctx.level;
  },
  describe: (s, ctx) =>
    `has drifted ${ctx.level >= s.slow ? 'up' : 'down'} to about ${fmt(ctx.level)} from a longer-run ${fmt(s.slow)}`,
};
