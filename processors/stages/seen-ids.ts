/**
 * The event ids one partition delivered, oldest first, with constant-time lookup and constant-time
 * removal of the oldest. Arrival order is kept in arrays, not read back from a Map: a Map iterated
 * from the front after deleting from the front walks every deleted entry again until it is rehashed,
 * so evicting one id at a time from a full Map cost time in proportion to everything evicted so far
 * (dedupe took seconds per batch once the limit was reached).
 */
export class SeenIds {
  private readonly ids = new Set<string>();
  private order: string[] = [];
  private times: number[] = [];
  private head = 0;

  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers an id not already held (the caller checked `has`). */
  add(id: string, at: number): void {
    this.ids.add(id);
    this.order.push(id);
    this.times.push(at);
  }

  /** When the oldest id was seen, or Infinity when none is held. */
  get oldestAt(): number {
    return this.head < this.order.length ? this.times[this.head]! : Infinity;
  }

  forgetOldest(): void {
    if (this.head >= this.order.length) return;
    this.ids.delete(this.order[this.head]!);
    this.head++;
    // Drop the forgotten prefix once it is most of the arrays (amortised constant time).
    if (this.head >= 1024 && this.head * 2 >= this.order.length) {
      this.order = this.order.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}
