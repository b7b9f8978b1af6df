import { Detector, fmt, range } from './detector';

/** A sample far from what the baseline expects (seasonal when the series has a daily cycle). */
export const spike: Detector<Record<string, never>> = {
  name: 'spike',
  output: 'statistic',
  init: () => ({}),
  step: (_s, ctx) => Math.abs(ctx.x - ctx.expected) / ctx.sigma,
  describe: (_s, ctx) =>
    `${fmt(ctx.x)} is far ${ctx.x >= ctx.expected ? 'above' : 'below'} its usual ${range(ctx)}`,
};
