import { CounterRates } from './counter-rates';

describe('CounterRates', () => {
  it('has no rate for the first reading, then the increase per second', () => {
    const r = new CounterRates();
    expect(r.rate('a', 100, 0)).toBeUndefined();
    expect(r.rate('a', 300, 2000)).toBe(100);
    expect(r.rate('a', 300, 3000)).toBe(0);
  });

  it('takes a counter that went down as reset to zero: the new value is the increase', () => {
    const r = new CounterRates();
    r.rate('a', 1_000_000, 0);
    expect(r.rate('a', 500, 1000)).toBe(500);
    expect(r.resets).toBe(1);
    expect(r.rate('a', 1500, 2000)).toBe(1000);
    expect(r.resets).toBe(1);
  });

  it('gives no rate when time did not advance, and rates over the real time between readings', () => {
    const r = new CounterRates();
    r.rate('a', 10, 5000);
    expect(r.rate('a', 20, 5000)).toBeUndefined();
    expect(r.rate('a', 20, 4000)).toBeUndefined(); // clock stepped back
    expect(r.rate('a', 120, 14_000)).toBe(10); // 100 over the 10 s since the last reading
  });

  it('forgets a counter missing from a round, so a gap starts it again instead of averaging over it', () => {
    const r = new CounterRates();
    r.rate('a', 10, 0);
    r.rate('b', 10, 0);
    r.sweep();
    r.rate('a', 20, 1000); // b missed this round (device detached)
    r.sweep();
    expect(r.size).toBe(1);
    expect(r.rate('b', 5000, 2000)).toBeUndefined();
    expect(r.rate('b', 5010, 3000)).toBe(10);
  });
});
