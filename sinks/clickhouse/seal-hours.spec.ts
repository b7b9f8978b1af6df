import { planRanges, type KeyCount } from './seal-hours';

const at = (metric: string, host: string, rows: number): KeyCount => ({ metric, host, rows });
const shape = (counts: KeyCount[], budget: number) =>
  planRanges(counts, budget).map((q) => q.ranges.map((r) => `${r.metric}:${r.from}-${r.to}`).join(' '));

describe('planRanges: an hour’s samples into bounded queries along the raw table’s key', () => {
  it('gives each query runs of one metric’s hosts, up to the budget', () => {
    const counts = [at('cpu', 'a', 40), at('cpu', 'b', 40), at('mem', 'a', 30), at('mem', 'b', 30)];
    expect(shape(counts, 100)).toEqual(['cpu:a-b', 'mem:a-b']);
    expect(shape(counts, 120)).toEqual(['cpu:a-b mem:a-a', 'mem:b-b']);
  });

  it('cuts a metric larger than the budget between hosts, and never a host', () => {
    const counts = [at('cpu', 'a', 60), at('cpu', 'b', 60), at('cpu', 'c', 500), at('cpu', 'd', 10)];
    expect(shape(counts, 100)).toEqual(['cpu:a-a', 'cpu:b-b', 'cpu:c-c', 'cpu:d-d']);
  });

  it('counts each query’s samples, and plans nothing for nothing', () => {
    const counts = [at('cpu', 'a', 40), at('cpu', 'b', 60), at('mem', 'a', 1)];
    expect(planRanges(counts, 100).map((q) => q.rows)).toEqual([100, 1]);
    expect(planRanges([], 100)).toEqual([]);
  });
});
