import { Detector, fmt, range } from './detector';

/**
 * A value outside everything the series did lately: the distance beyond a slowly shrinking
 * envelope of its highs and lows (each one forgets at 1/500 per sample towards the level), in
 * units of the envelope's width. Scale-free, so it holds up on bursty and heavy-tailed series
 * where a sigma means little: a series that bursts to 8× now and then keeps its envelope wide.
 * Once the baseline follows a daily cycle, the envelope holds the values without it.
 */
const SHRINK = 1 / 500;

export interface NovelRangeState {
  hi: number;
  lo: number;
  /** Which side the last finding was on (1 above, −1 below) and the edge it passed. */
  side: number;
  edge: number;
}

export const novelRange: Detector<NovelRangeState> = {
  name: 'range',
  output: 'statistic',
  init: (ctx) => ({ hi: ctx.x, lo: ctx.x, side: 0, edge: ctx.x }),
  step: (s, ctx) => {
    const width = s.hi - s.lo + ctx.noise;
    // On a series with a daily cycle, the value without this hour's part of it.
    const hour = ctx.seasonal ? ctx.expected - ctx.level : 0;
    const x = ctx.x - hour;
    let stat = x > s.hi ? (x - s.hi) / width : x < s.lo ? (s.lo - x) / width : 0;
    // A positive series (bytes, rates) varies by factors: measured on a log scale too, a drop
    // to a fraction of its lowest is as plain as a rise above its highest.
    if (s.lo > 0 && x < s.lo) {
      const floor = 0.01 * s.lo;
      const logWidth = Math.log((s.hi + floor) / (s.lo + floor)) + 0.01;
      stat = Math.max(stat, Math.log((s.lo + floor) / (Math.max(x, 0) + floor)) / logWidth);
    }
    if (stat > 0) {
      s.side = x > s.hi ? 1 : -1;
      s.edge = (x > s.hi ? s.hi : s.lo) + hour;
    }
    s.hi += SHRINK * (ctx.level - s.hi);
    s.lo += SHRINK * (ctx.level - s.lo);
    if (x > s.hi) s.hi = x;
    if (x < s.lo) s.lo = x;
    return stat;
  },
  adapt: (s, ctx) => {
    s.hi = Math.max(s.hi, ctx.level);
    s.lo = Math.min(s.lo, ctx.level);
  },
  describe: (s, ctx) =>
    `${fmt(ctx.x)} is far ${s.side > 0 ? 'above' : 'below'} its usual ${range(ctx)}, ${s.side > 0 ? 'above' : 'below'} anything it did lately (${s.side > 0 ? 'at most' : 'at least'} ${fmt(s.edge)})`,
};
