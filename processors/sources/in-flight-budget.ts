/**
 * Counts events and bytes handed downstream and not yet acknowledged. `acquire` resolves at once
 * while under the high-water mark; past it, it waits until releases bring usage below the
 * low-water mark (half the limits), so consumption resumes in bursts, not record by record.
 */
export class InFlightBudget {
  private events = 0;
  private bytes = 0;
  private waiters: (() => void)[] = [];
  /** Times `acquire` had to wait: how often downstream was slower than the topic. */
  pauses = 0;
  /** Most events ever in flight at once. */
  peakEvents = 0;

  constructor(
    readonly maxEvents: number,
    readonly maxBytes: number,
  ) {
    if (maxEvents < 1 || maxBytes < 1) throw new Error('in-flight budget limits must be positive');
  }

  get usage(): { events: number; bytes: number } {
    return { events: this.events, bytes: this.bytes };
  }

  /** True while a batch waits for room: the source is holding the fetch loop. */
  get holding(): boolean {
    return this.waiters.length > 0;
  }

  get full(): boolean {
    return this.events >= this.maxEvents || this.bytes >= this.maxBytes;
  }

  private get belowLowWater(): boolean {
    return this.events <= this.maxEvents / 2 && this.bytes <= this.maxBytes / 2;
  }

  /** Takes the batch into the budget, then waits (if over the limit) until downstream catches up. */
  async acquire(events: number, bytes: number): Promise<void> {
    this.events += events;
    this.bytes += bytes;
    if (this.events > this.peakEvents) this.peakEvents = this.events;
    if (!this.full) return;
    this.pauses++;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(events: number, bytes: number): void {
    this.events -= events;
    this.bytes -= bytes;
    if (this.belowLowWater) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Wakes every waiter (shutdown). */
  releaseAll(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
