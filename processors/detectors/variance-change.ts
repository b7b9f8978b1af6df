import { Detector, fmt } from './detector';

/** Noisier than usual: a fast average of squared standardised residuals, on a log scale. */
const ALPHA = 0.1;
const CAP = 36;

export interface VarianceState {
  ratio: number;
}

export const varianceChange: Detector<VarianceState> = {
  name: 'variance',
  output: 'statistic',
  init: () => ({ ratio: 1 }),
  step: (s, ctx) => {
    const z = (ctx.x - ctx.expected) / ctx.sigma;
    s.ratio += ALPHA * (Math.min(z * z, CAP) - s.ratio);
    return s.ratio > 1 ? Math.log(s.ratio) : 0;
  },
  adapt: (s) => {
    s.ratio = 1;
  },
  describe: (s) => `fluctuates about ${fmt(Math.sqrt(s.ratio))}× more than usual`,
};
