import type { WindowAccumulator } from './window-accumulator';

/**
 * The open windows: by key for the samples that feed them, and oldest first for closing the
 * oldest early at the cap. Creation order is kept in an array with removed windows skipped, not
 * read back from the front of a Map: a Map deleted from at the front walks every deleted entry
 * again on each read until it is rehashed. Removed windows are dropped from the array as the
 * front passes them, and all at once when they are most of it, so it holds at most about twice
 * the open windows. An entry is live while the table maps its key to it (no set of removed windows:
 * a WeakSet of a fleet's hundreds of thousands of windows is an ephemeron table the collector
 * has to walk).
 */
export class OpenWindows {
  private readonly byKey = new Map<string, WindowAccumulator>();
  private order: WindowAccumulator[] = [];
  private head = 0;
  /** Removed windows still in `order` past `head`. */
  private dead = 0;

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): WindowAccumulator | undefined {
    return this.byKey.get(key);
  }

  add(w: WindowAccumulator): void {
    this.byKey.set(w.key, w); // a window can open again (a closed one reopened for more samples)
    this.order.push(w);
  }

  delete(w: WindowAccumulator): void {
    if (this.byKey.get(w.key) !== w) return;
    this.byKey.delete(w.key);
    this.dead++;
    this.trim();
  }

  /** Every window held, in no particular order. */
  values(): IterableIterator<WindowAccumulator> {
    return this.byKey.values();
  }

  /** The open window created first, or undefined when none is open. */
  oldest(): WindowAccumulator | undefined {
    return this.order[this.head];
  }

  private trim(): void {
    while (this.head < this.order.length && !this.holds(this.order[this.head]!)) {
      this.head++;
      this.dead--;
    }
    const held = this.order.length - this.head;
    if (this.dead > 1024 && this.dead * 2 > held) {
      this.order = this.order.slice(this.head).filter((w) => this.holds(w));
      this.head = 0;
      this.dead = 0;
    } else if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  private holds(w: WindowAccumulator): boolean {
    return this.byKey.get(w.key) === w;
  }
}
