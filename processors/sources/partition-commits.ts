/**
 * Per partition, the batches handed downstream in fetch order. Acks arrive in that order; the
 * committable position is the end of the acknowledged prefix, lowered to the floor the last ack
 * named. A batch may be acknowledged again with a new floor (windows its records fed closed
 * later, by the idle timer): while it is still the last acknowledged one, that moves the position.
 * Positions only move forward.
 */
interface Pending {
  end: bigint;
  done: boolean;
  floor?: bigint;
}

export class PartitionCommits {
  private readonly queues = new Map<string, Pending[]>();
  private readonly committed = new Map<string, bigint>();
  /** The last acknowledged batch of each partition (a repeated ack of it may raise its floor). */
  private readonly heads = new Map<string, Pending>();

  /**
   * Registers a batch ending at `end` (exclusive); returns the function that acknowledges it, with
   * the floor not to commit past (none: the whole batch), again if that floor later rises.
   */
  track(key: string, end: bigint): (floor?: string) => void {
    const entry: Pending = { end, done: false };
    let queue = this.queues.get(key);
    if (!queue) this.queues.set(key, (queue = []));
    queue.push(entry);
    return (floor) => {
      entry.done = true;
      entry.floor = floor === undefined ? undefined : BigInt(floor);
    };
  }

  /** The new position to commit for `key`, if the acknowledged prefix moved it forward. */
  next(key: string): bigint | undefined {
    const queue = this.queues.get(key) ?? [];
    let last: Pending | undefined;
    while (queue[0]?.done) last = queue.shift();
    if (last) this.heads.set(key, last);
    else last = this.heads.get(key);
    if (!last) return undefined;
    const position = last.floor !== undefined && last.floor < last.end ? last.floor : last.end;
    if (position <= (this.committed.get(key) ?? -1n)) return undefined;
    return position;
  }

  markCommitted(key: string, position: bigint): void {
    this.committed.set(key, position);
  }

  /** Forgets partitions this member no longer owns: their batches will be read again by the new owner. */
  retain(owned: ReadonlySet<string>): void {
    for (const key of [...this.queues.keys(), ...this.committed.keys(), ...this.heads.keys()]) {
      if (!owned.has(key)) {
        this.queues.delete(key);
        this.committed.delete(key);
        this.heads.delete(key);
      }
    }
  }

  get pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }
}
