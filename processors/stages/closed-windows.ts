import { OpenWindows } from './open-windows';
import type { WindowAccumulator } from './window-accumulator';

/**
 * Closed windows kept, compacted, so a late sample can correct its window (re-emit it with the
 * larger count): by key, oldest first, at most `max`. Past it the oldest is forgotten
 * (`forgotten` is told, so later samples for it are counted rather than emitted as a window that
 * would hold only themselves).
 */
export class ClosedWindows {
  private readonly windows = new OpenWindows();

  constructor(
    private readonly max: number,
    private readonly forgotten: (w: WindowAccumulator) => void,
  ) {}

  get size(): number {
    return this.windows.size;
  }

  get(key: string): WindowAccumulator | undefined {
    return this.windows.get(key);
  }

  add(w: WindowAccumulator): void {
    w.compact();
    if (this.windows.get(w.key) === w) return;
    const before = this.windows.get(w.key);
    if (before) this.windows.delete(before);
    this.windows.add(w);
    while (this.windows.size > this.max) {
      const oldest = this.windows.oldest()!;
      this.windows.delete(oldest);
      this.forgotten(oldest);
    }
  }

  /** Takes the window out (it opens again). */
  take(key: string): WindowAccumulator | undefined {
    const w = this.windows.get(key);
    if (w) this.windows.delete(w);
    return w;
  }

  /** Drops windows from the oldest on while `expired` says so. */
  prune(expired: (w: WindowAccumulator) => boolean): void {
    for (let w = this.windows.oldest(); w && expired(w); w = this.windows.oldest()) this.windows.delete(w);
  }

  /** Drops every window `drop` picks (a revoked partition's). */
  dropWhere(drop: (w: WindowAccumulator) => boolean): void {
    for (const w of [...this.windows.values()]) if (drop(w)) this.windows.delete(w);
  }
}
