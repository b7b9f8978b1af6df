import { Detector, fmt } from './detector';

/** A sudden jump between consecutive samples, against the usual size of a step. */
const ALPHA = 0.02;

export interface RateState {
  step: number;
  n: number;
  last: number;
}

export const rateOfChange: Detector<RateState> = {
  name: 'rate',
  output: 'statistic',
  init: () => ({ step: 0, n: 0, last: 0 }),
  step: (s, ctx) => {
    if (Number.isNaN(ctx.prevX)) return 0;
    const d = ctx.x - ctx.prevX;
    const usual = 1.2533 * Math.max(s.step, ctx.sigma * 0.05, 1e-9 * (Math.abs(ctx.x) + 1));
    const stat = Math.abs(d) / usual;
    const a = Math.max(ALPHA, 1 / ++s.n);
    s.step += a * (Math.min(Math.abs(d), 4 * usual) - s.step);
    s.last = d;
    return stat;
  },
  describe: (s) =>
    `${s.last >= 0 ? 'jumped up' : 'dropped'} by ${fmt(Math.abs(s.last))} in one step; it usually moves about ${fmt(1.2533 * s.step)}`,
};
