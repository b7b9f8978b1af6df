import { planSeals, type HostHour } from './seal-hours';

const H = 3_600_000;
const at = (hour: number, host: string, rows: number): HostHour => ({ hour: hour * H, host, rows });
const shape = (pending: HostHour[], budget: number) =>
  planSeals(pending, budget).map((c) => `${c.hour / H}:${c.hosts.map((h) => h.host).join(',')}`);

describe('planSeals: pending host-hours into bounded queries', () => {
  it('joins hosts of one hour up to the budget, never across hours', () => {
    const pending = [at(1, 'a', 40), at(1, 'b', 60), at(1, 'c', 10), at(2, 'a', 10), at(2, 'b', 10)];
    expect(shape(pending, 100)).toEqual(['1:a,b', '1:c', '2:a,b']);
  });

  it('gives a host larger than the budget a query of its own', () => {
    expect(shape([at(1, 'a', 10), at(1, 'big', 500), at(1, 'c', 10)], 100)).toEqual(['1:a', '1:big', '1:c']);
  });

  it('counts each chunk’s rows and plans nothing for nothing', () => {
    expect(planSeals([at(1, 'a', 40), at(1, 'b', 60)], 100).map((c) => c.rows)).toEqual([100]);
    expect(planSeals([], 100)).toEqual([]);
  });
});
