import load from './fixtures/current-load.json';
import mem from './fixtures/mem.json';
import { cpuMeasurements } from './cpu';
import { memoryMeasurements } from './memory';

describe('cpu collector', () => {
  it('maps systeminformation percentages to ratios of 1, total and by cpu.mode', () => {
    const out = cpuMeasurements(load as never);
    expect(out[0]).toEqual({ metric: 'system.cpu.utilization', value: 0.375, unit: '1' });
    const byMode = Object.fromEntries(out.slice(1).map((m) => [m.attributes!['cpu.mode'], m.value]));
    expect(byMode).toEqual({ user: 0.25, system: 0.1, nice: 0.005, interrupt: 0.02, steal: 0, idle: 0.625 });
    expect(out.every((m) => m.metric === 'system.cpu.utilization' && m.unit === '1')).toBe(true);
  });

  it('skips a mode the platform does not report', () => {
    const out = cpuMeasurements({ ...(load as object), currentLoadSteal: undefined } as never);
    expect(out.map((m) => m.attributes?.['cpu.mode'])).not.toContain('steal');
  });
});

describe('memory collector', () => {
  it('reports used as total minus available, by state, in bytes and as a ratio', () => {
    const out = memoryMeasurements(mem as never);
    const usage = Object.fromEntries(
      out
        .filter((m) => m.metric === 'system.memory.usage')
        .map((m) => [m.attributes!['system.memory.state'], m.value]),
    );
    expect(usage).toEqual({ used: 6_000_000_000, free: 2_000_000_000, cached: 7_800_000_000 });
    expect(out.find((m) => m.metric === 'system.memory.utilization')).toEqual({
      metric: 'system.memory.utilization',
      value: 0.375,
      unit: '1',
      attributes: { 'system.memory.state': 'used' },
    });
  });
});
