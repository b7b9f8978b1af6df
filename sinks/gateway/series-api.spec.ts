import { RANGES as DASHBOARD_RANGES } from '../../dashboard/src/history';
import { MAX_POINTS, RANGES, stepSeconds } from './series-api';

describe('series API ranges', () => {
  it('offers exactly the ranges the dashboard asks for, with the same lengths', () => {
    expect(DASHBOARD_RANGES.map((r) => [r.name, r.ms])).toEqual(
      Object.entries(RANGES).map(([name, r]) => [name, r.ms]),
    );
  });

  it('keeps every range within MAX_POINTS, never finer than its source', () => {
    for (const { ms, source } of Object.values(RANGES)) {
      const step = stepSeconds(ms, source);
      expect(ms / 1000 / step).toBeLessThanOrEqual(MAX_POINTS);
      expect(step % (source === 'raw' ? 1 : source === '1m' ? 60 : 3600)).toBe(0);
    }
  });
});
