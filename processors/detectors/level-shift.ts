import { Detector, fmt } from './detector';

/**
 * A change of level: a fast moving average of the residuals, in units of its own standard
 * error, so a sustained shift of one sigma stands out after a few samples while a lone spike
 * (clipped at 4 sigma) does not.
 */
const ALPHA = 0.2;
const STANDARD_ERROR = Math.sqrt(ALPHA / (2 - ALPHA));

export interface LevelShiftState {
  mean: number;
}

export const levelShift: Detector<LevelShiftState> = {
  name: 'level-shift',
  output: 'statistic',
  init: () => ({ mean: 0 }),
  step: (s, ctx) => {
    const bound = 4 * ctx.sigma;
    const r = ctx.x - ctx.expected;
    s.mean += ALPHA * ((r > bound ? bound : r < -bound ? -bound : r) - s.mean);
    return Math.abs(s.mean) / (ctx.noise * STANDARD_ERROR);
  },
  adapt: (s) => {
    s.mean = 0;
  },
  describe: (s, ctx) =>
    `has shifted ${s.mean >= 0 ? 'up' : 'down'} to about ${fmt(ctx.expected + s.mean)} from its usual ${fmt(ctx.expected)}`,
};
