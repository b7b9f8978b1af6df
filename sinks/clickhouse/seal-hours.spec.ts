import { groupHosts, HOST_BYTES_PER_GROUP, planRanges, RANGES_PER_QUERY, type KeyCount } from './seal-hours';

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

  it('names at most RANGES_PER_QUERY ranges in a query', () => {
    const counts = Array.from({ length: RANGES_PER_QUERY + 5 }, (_, i) =>
      at(`m${String(i).padStart(4, '0')}`, 'a', 1),
    );
    expect(planRanges(counts, 1e9).map((q) => q.ranges.length)).toEqual([RANGES_PER_QUERY, 5]);
  });
});

describe('groupHosts: one hour’s hosts at a time, their names within a bound', () => {
  it('never joins hours, and cuts an hour whose host names pass the bound', () => {
    const host = (hour: number, name: string) => ({ hour, host: name, rows: 1 });
    const long = 'h'.repeat(253);
    const many = Array.from({ length: 1000 }, (_, i) => host(2, `${long}${i}`));
    const groups = groupHosts([host(1, 'a'), host(1, 'b'), ...many]);
    expect(groups[0]!.hosts.map((h) => h.host)).toEqual(['a', 'b']);
    expect(groups.slice(1).every((g) => g.hour === 2)).toBe(true);
    expect(groups.slice(1).flatMap((g) => g.hosts)).toEqual(many);
    expect(groups.length).toBeGreaterThan(2);
    for (const g of groups)
      expect(g.hosts.reduce((n, h) => n + Buffer.byteLength(h.host) + 24, 0)).toBeLessThanOrEqual(
        HOST_BYTES_PER_GROUP,
      );
  });
});
