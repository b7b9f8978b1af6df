import { fleetSamples, fleetSeries } from './fleet-samples';

const seriesKey = (s: { host: string; metric: string; attributes: Record<string, string> }) =>
  `${s.host}|${s.metric}|${JSON.stringify(s.attributes)}`;

describe('fleetSamples', () => {
  it('gives every host the asked number of distinct series, one sample each per round', () => {
    expect(new Set(fleetSeries(150).map((s) => `${s.metric}|${JSON.stringify(s.attributes)}`)).size).toBe(
      150,
    );
    const fleet = fleetSamples({
      hosts: 20,
      seriesPerHost: 60,
      intervalMs: 10_000,
      start: 1_700_000_000_000,
    });
    const a = fleet.round(0);
    const b = fleet.round(1);
    expect(a).toHaveLength(1200);
    expect(fleet.perRound).toBe(1200);
    expect(new Set(a.map(seriesKey)).size).toBe(1200);
    expect(new Set([...a, ...b].map((s) => s.event_id)).size).toBe(2400);
    expect(
      fleetSamples({ hosts: 20, seriesPerHost: 60, intervalMs: 10_000, start: 1_700_000_000_000 }).round(1),
    ).toEqual(b);
  });

  it('spreads hosts over the interval, each a little off, one time per host report', () => {
    const start = 1_700_000_000_000;
    const fleet = fleetSamples({
      hosts: 50,
      seriesPerHost: 3,
      intervalMs: 10_000,
      start,
      clockJitterMs: 500,
    });
    const round = fleet.round(2);
    const byHost = new Map<string, Set<number>>();
    for (const s of round) byHost.set(s.host, (byHost.get(s.host) ?? new Set()).add(s.ts));
    expect([...byHost.values()].every((ts) => ts.size === 1)).toBe(true);
    const times = [...byHost.values()].map((ts) => [...ts][0]! - start - 20_000);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(-500);
    expect(Math.max(...times)).toBeLessThan(10_520);
    expect(new Set(times).size).toBeGreaterThan(40);
    expect(round.filter((s) => s.unit === '1').every((s) => s.value >= 0 && s.value <= 1)).toBe(true);
  });
});
