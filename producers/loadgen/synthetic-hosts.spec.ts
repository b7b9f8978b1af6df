import { syntheticSamples } from './synthetic-hosts';

const cpuOf = (hosts: number, ts: number) => {
  const next = syntheticSamples(hosts, 1);
  return next(hosts * 6, ts).filter((s) => s.metric === 'system.cpu.utilization');
};

describe('syntheticSamples', () => {
  it('is deterministic, ids unique per sample, ratios within [0, 1]', () => {
    const a = syntheticSamples(50, 7)(3000, 1_700_000_000_000);
    const b = syntheticSamples(50, 7)(3000, 1_700_000_000_000);
    expect(a).toEqual(b);
    expect(new Set(a.map((s) => s.event_id)).size).toBe(3000);
    expect(a.filter((s) => s.unit === '1').every((s) => s.value >= 0 && s.value <= 1)).toBe(true);
    expect(new Set(a.map((s) => s.metric)).size).toBe(6);
  });

  it('follows a daily cycle: a host is busier at one time of day than twelve hours later', () => {
    const day = 86_400_000;
    const spreads = Array.from(
      { length: 24 },
      (_, h) => cpuOf(1, 1_700_000_000_000 + (h * day) / 24)[0]!.value,
    );
    expect(Math.max(...spreads) / Math.min(...spreads)).toBeGreaterThan(1.5);
  });

  it('puts a few hosts in a burst at any time, not all of them', () => {
    const ts = 1_700_000_000_000;
    const hosts = 1000;
    const bursting = cpuOf(hosts, ts).filter((s) => s.value > 0.75).length;
    expect(bursting).toBeGreaterThan(0);
    expect(bursting).toBeLessThan(hosts * 0.15);
  });
});
