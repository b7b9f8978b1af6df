import { ConsoleBusyError } from './console-busy-error';

/**
 * At most `maxRunning` console queries at once, `maxWaiting` more in line (first come, first
 * served), and any further one refused at once with `ConsoleBusyError` (counted in `refused`),
 * so no number of requests can pile work up behind the engine. Each running job gets a slot
 * number below `maxRunning` (the thread it runs on).
 */
export class ConsoleQueue {
  private readonly free: number[];
  private readonly waiting: Array<(slot: number) => void> = [];
  refused = 0;

  constructor(
    private readonly maxRunning: number,
    private readonly maxWaiting: number,
    private readonly retryAfterSeconds: number,
  ) {
    if (!(maxRunning >= 1) || !(maxWaiting >= 0)) throw new RangeError('maxRunning >= 1 and maxWaiting >= 0');
    this.free = Array.from({ length: maxRunning }, (_, i) => maxRunning - 1 - i);
  }

  get running(): number {
    return this.maxRunning - this.free.length;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(job: (slot: number) => Promise<T>): Promise<T> {
    const slot = await this.take();
    try {
      return await job(slot);
    } finally {
      this.give(slot);
    }
  }

  private take(): Promise<number> {
    const slot = this.free.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    if (this.waiting.length >= this.maxWaiting) {
      this.refused++;
      return Promise.reject(new ConsoleBusyError(this.retryAfterSeconds, this.running, this.waiting.length));
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private give(slot: number): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }
}
