/**
 * Per-second rates from monotonically increasing counters. The first reading of a counter has no
 * rate (nothing to compare with); a counter that went down was reset (device re-attached, driver
 * reloaded, 32-bit wrap) and counts from zero again, so its increase is the new value itself, as in
 * Prometheus' rate(). Counters not read in a round are forgotten at `sweep`, so the map holds only
 * what the host has now.
 */
export class CounterRates {
  private readonly last = new Map<string, { value: number; ms: number }>();
  private readonly seen = new Set<string>();
  resets = 0;

  rate(key: string, value: number, ms: number): number | undefined {
    this.seen.add(key);
    const prev = this.last.get(key);
    this.last.set(key, { value, ms });
    if (!prev || ms <= prev.ms) return undefined;
    let increase = value - prev.value;
    if (increase < 0) {
      this.resets++;
      increase = value;
    }
    return increase / ((ms - prev.ms) / 1000);
  }

  /** Forgets counters that were not read since the last sweep. */
  sweep(): void {
    for (const key of this.last.keys()) if (!this.seen.has(key)) this.last.delete(key);
    this.seen.clear();
  }

  get size(): number {
    return this.last.size;
  }
}
