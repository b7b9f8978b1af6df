import { compileRule, parseDuration, parseRule } from './threshold-rule';

describe('threshold rules', () => {
  it('parses durations', () => {
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2 minutes')).toBeUndefined();
  });

  it('parses the text form and says what to fix', () => {
    expect(parseRule('system.cpu.utilization > 0.9 for 2m')).toMatchObject({
      metric: 'system.cpu.utilization',
      op: '>',
      threshold: 0.9,
      forMs: 120_000,
      clear: 0.9,
      host: '*',
    });
    expect(parseRule('system.filesystem.utilization >= 0.95 clear 0.9', 'db-*').clear).toBe(0.9);
    expect(() => parseRule('cpu is high')).toThrow(/not of the form "<metric> <op> <number>/);
    expect(() => parseRule('x > 1 for soon')).toThrow(/"soon" is not a duration/);
    expect(() => parseRule('x > 1 clear 2')).toThrow(/clear 2 must be on the other side of 1/);
  });

  it('fires only after the condition held for the whole duration', () => {
    const r = compileRule(parseRule('system.cpu.utilization > 0.9 for 2m'));
    const s = r.newState();
    expect(r.step(s, 0, 0.95)).toBe(false);
    expect(r.step(s, 60_000, 0.95)).toBe(false);
    expect(r.step(s, 90_000, 0.5)).toBe(false); // broken: the clock restarts
    expect(r.step(s, 100_000, 0.95)).toBe(false);
    expect(r.step(s, 219_999, 0.95)).toBe(false);
    expect(r.step(s, 220_000, 0.95)).toBe(true);
  });

  it('clears with hysteresis', () => {
    const r = compileRule(parseRule('system.filesystem.utilization >= 0.95 clear 0.9'));
    const s = r.newState();
    expect(r.step(s, 0, 0.96)).toBe(true);
    expect(r.step(s, 1, 0.93)).toBe(true); // below the threshold, above the clear level
    expect(r.step(s, 2, 0.89)).toBe(false);
  });

  it('matches metric and host patterns', () => {
    const r = compileRule(parseRule('system.network.* < 1', 'web-*'));
    expect(r.matches('web-1', 'system.network.io')).toBe(true);
    expect(r.matches('db-1', 'system.network.io')).toBe(false);
    expect(r.matches('web-1', 'system.cpu.utilization')).toBe(false);
  });
});
