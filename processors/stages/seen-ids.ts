/**
 * The event ids one partition delivered, oldest first, with constant-time lookup and constant-time
 * removal of the oldest, held in numbers rather than as strings.
 *
 * An id of the usual form `prefix:seq` (the agent's `host:boot:seq`, with `seq` a canonical
 * decimal of at most 15 digits) is held as the pair (prefix number, seq): its prefix is interned
 * once per partition with a count of the ids using it. Any other id is held as (the whole id
 * interned, -1), so every id maps to a distinct pair and lookups stay exact.
 *
 * Arrival order lives in a ring of pairs (for age and count eviction), written and read in
 * sequence. Membership lives per prefix, as the seqs it holds in ascending runs (`SeqRuns`): an
 * agent numbers its samples in order, so a new id almost always extends its prefix's last run,
 * and the oldest almost always trims its first. Half a million remembered ids cost ~10 MB of
 * ring outside the JS heap plus a few runs per host, and a lookup reads a host's last run, not
 * a random slot of a table of millions (~300 → ~100 ns per id for 100 hosts at 500 000 held,
 * measured standalone).
 */
export class SeenIds {
  private readonly prefixes = new Prefixes();
  /** Per prefix number, the seqs held. */
  private runs: SeqRuns[] = [];
  // The ring of pairs in arrival order, oldest at `head`; its capacity is a power of two.
  private prefixAt = new Int32Array(256);
  private seqAt = new Float64Array(256);
  private timeAt = new Float64Array(256);
  private head = 0;
  private count = 0;
  // The id last parsed, split (set by `parse`).
  private prefix = 0;
  private seq = 0;

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    if (!this.parse(id, false, undefined)) return false;
    return this.runs[this.prefix]!.has(this.seq);
  }

  /**
   * Remembers an id seen at `at`; false, changing nothing, when the id is already held. `hint`
   * is a string the id's prefix goes with (a sample's host, one shared string per host): with
   * it, the prefix is found again without slicing it out of the id when hosts interleave.
   */
  remember(id: string, at: number, hint?: string): boolean {
    this.parse(id, true, hint);
    const { prefix, seq } = this;
    if (!(this.runs[prefix] ??= new SeqRuns()).add(seq)) {
      this.prefixes.release(prefix); // parse counted one more use of it
      return false;
    }
    if (this.count === this.prefixAt.length) this.grow();
    const pos = (this.head + this.count) & (this.prefixAt.length - 1);
    this.prefixAt[pos] = prefix;
    this.seqAt[pos] = seq;
    this.timeAt[pos] = at;
    this.count++;
    return true;
  }

  /** When the oldest id was seen, or Infinity when none is held. */
  get oldestAt(): number {
    return this.count > 0 ? this.timeAt[this.head]! : Infinity;
  }

  forgetOldest(): void {
    if (this.count === 0) return;
    const at = this.head;
    const prefix = this.prefixAt[at]!;
    this.runs[prefix]!.remove(this.seqAt[at]!);
    this.prefixes.release(prefix);
    this.head = (at + 1) & (this.prefixAt.length - 1);
    this.count--;
  }

  /**
   * Splits an id into `this.prefix` and `this.seq`. With `intern` the prefix is interned and its
   * use counted; without, false when the prefix is not held (so neither is the id).
   */
  private parse(id: string, intern: boolean, hint: string | undefined): boolean {
    const colon = id.lastIndexOf(':');
    const seq = colon < 0 ? -1 : canonicalSeq(id, colon + 1);
    const length = seq < 0 ? id.length : colon;
    let number: number;
    if (hint !== undefined) this.prefixes.recall(hint);
    // One host's ids run on: its prefix is found again without slicing it out of the id.
    if (this.prefixes.isLast(id, length)) number = intern ? this.prefixes.useLast() : this.prefixes.last;
    else {
      const prefix = seq < 0 ? id : id.slice(0, colon);
      number = intern ? this.prefixes.use(prefix) : this.prefixes.find(prefix);
      if (hint !== undefined && number >= 0) this.prefixes.note(hint, number);
    }
    this.prefix = number;
    this.seq = seq;
    return number >= 0;
  }

  /** Doubles the ring, oldest moved to the front. */
  private grow(): void {
    const capacity = this.prefixAt.length * 2;
    const prefixAt = new Int32Array(capacity);
    const seqAt = new Float64Array(capacity);
    const timeAt = new Float64Array(capacity);
    const mask = this.prefixAt.length - 1;
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) & mask;
      prefixAt[i] = this.prefixAt[from]!;
      seqAt[i] = this.seqAt[from]!;
      timeAt[i] = this.timeAt[from]!;
    }
    this.prefixAt = prefixAt;
    this.seqAt = seqAt;
    this.timeAt = timeAt;
    this.head = 0;
  }
}

/**
 * The seqs one prefix holds, as disjoint runs [lo, hi] in ascending order, in one array of
 * bounds (lo, hi, lo, hi, …) read from `first`. Seqs are integers below 2^53 (or -1, a whole id).
 * Appending past the last run and removing the lowest are constant time; anything else (a seq
 * that arrives out of order, an id forgotten before lower ones) splices the array.
 */
export class SeqRuns {
  private bounds: number[] = [];
  private first = 0;

  has(seq: number): boolean {
    const b = this.bounds;
    const n = b.length;
    if (n === this.first || seq > b[n - 1]! || seq < b[this.first]!) return false;
    if (seq >= b[n - 2]!) return true;
    const at = this.runAtOrBefore(seq);
    return at >= 0 && seq <= b[at + 1]!;
  }

  /** Adds a seq; false, changing nothing, when it is held already. */
  add(seq: number): boolean {
    const b = this.bounds;
    const n = b.length;
    if (n === this.first) {
      this.bounds = [seq, seq];
      this.first = 0;
      return true;
    }
    const last = b[n - 1]!;
    if (seq > last) {
      if (seq === last + 1) b[n - 1] = seq;
      else b.push(seq, seq);
      return true;
    }
    if (seq >= b[n - 2]!) return false;
    const at = seq < b[this.first]! ? -1 : this.runAtOrBefore(seq);
    if (at >= 0 && seq <= b[at + 1]!) return false;
    this.insert(seq, at);
    return true;
  }

  /** Removes a seq held. */
  remove(seq: number): void {
    const b = this.bounds;
    const f = this.first;
    if (seq === b[f]) {
      if (b[f + 1] === seq) {
        this.first = f + 2;
        if (this.first === b.length) {
          this.bounds = [];
          this.first = 0;
        } else if (this.first >= 64 && this.first * 2 >= b.length) {
          b.splice(0, this.first);
          this.first = 0;
        }
      } else b[f] = seq + 1;
      return;
    }
    const at = this.runAtOrBefore(seq);
    const lo = b[at]!;
    const hi = b[at + 1]!;
    if (seq === hi) b[at + 1] = seq - 1;
    else if (seq === lo) b[at] = seq + 1;
    else b.splice(at + 1, 0, seq - 1, seq + 1); // splits [lo, hi] into [lo, seq-1] [seq+1, hi]
  }

  /** Index of the lo of the last run starting at or below `seq`, or -1. */
  private runAtOrBefore(seq: number): number {
    const b = this.bounds;
    let low = this.first / 2;
    let high = b.length / 2 - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (b[mid * 2]! <= seq) {
        found = mid * 2;
        low = mid + 1;
      } else high = mid - 1;
    }
    return found;
  }

  /** Adds a seq below the last run's end, after the run at `at` (-1: before the first), joining the runs it touches. */
  private insert(seq: number, at: number): void {
    const b = this.bounds;
    const next = at < 0 ? this.first : at + 2; // the run after seq (there is one: seq < last)
    const joinsBefore = at >= 0 && b[at + 1]! + 1 === seq;
    const joinsAfter = b[next]! - 1 === seq;
    if (joinsBefore && joinsAfter)
      b.splice(at + 1, 2); // [lo, seq-1] seq [seq+1, hi] → [lo, hi]
    else if (joinsBefore) b[at + 1] = seq;
    else if (joinsAfter) b[next] = seq;
    else b.splice(next, 0, seq, seq);
  }
}

/** The number written from `start` to the end of `id` when it is a canonical decimal (no sign, no leading zero, ≤15 digits); else -1. */
function canonicalSeq(id: string, start: number): number {
  const length = id.length - start;
  if (length < 1 || length > 15 || (length > 1 && id.charCodeAt(start) === 48)) return -1;
  let n = 0;
  for (let i = start; i < id.length; i++) {
    const digit = id.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/** Interned strings numbered from 0, each with a count of uses; unused numbers are reused. */
class Prefixes {
  private readonly numbers = new Map<string, number>();
  private names: (string | undefined)[] = [];
  private uses = new Int32Array(16);
  private readonly free: number[] = [];
  // The prefix last looked up, to skip the map while one host's ids run on.
  private lastName: string | undefined;
  private lastNumber = -1;
  /** The prefix last used with each hint, and the hint of each prefix (at most one per prefix). */
  private readonly byHint = new Map<string, number>();
  private hints: (string | undefined)[] = [];

  /** Makes the prefix last used with `hint` the one last looked up (nothing if there is none). */
  recall(hint: string): void {
    const number = this.byHint.get(hint);
    if (number === undefined) return;
    this.lastName = this.names[number];
    this.lastNumber = number;
  }

  /** Remembers that `hint` went with prefix `number` (held prefixes only). */
  note(hint: string, number: number): void {
    const old = this.hints[number];
    if (old !== undefined && old !== hint && this.byHint.get(old) === number) this.byHint.delete(old);
    this.byHint.set(hint, number);
    this.hints[number] = hint;
  }

  /** The number of the prefix last looked up (-1: none). */
  get last(): number {
    return this.lastNumber;
  }

  /** Whether `id` starts with the prefix last looked up, and that prefix is `length` long. */
  isLast(id: string, length: number): boolean {
    const name = this.lastName;
    return name !== undefined && name.length === length && id.startsWith(name);
  }

  /** One more use of the prefix last looked up (`isLast` said it is the one). */
  useLast(): number {
    this.uses[this.lastNumber]!++;
    return this.lastNumber;
  }

  find(name: string): number {
    if (name === this.lastName) return this.lastNumber;
    const number = this.numbers.get(name);
    if (number === undefined) return -1;
    this.lastName = name;
    this.lastNumber = number;
    return number;
  }

  /** The number of `name`, interning it if new, with one more use counted. */
  use(name: string): number {
    let number = this.find(name);
    if (number < 0) {
      number = this.free.pop() ?? this.names.length;
      if (number >= this.uses.length) {
        const uses = new Int32Array(this.uses.length * 2);
        uses.set(this.uses);
        this.uses = uses;
      }
      this.names[number] = name;
      this.numbers.set(name, number);
      this.lastName = name;
      this.lastNumber = number;
    }
    this.uses[number]!++;
    return number;
  }

  release(number: number): void {
    if (--this.uses[number]! > 0) return;
    this.numbers.delete(this.names[number]!);
    this.names[number] = undefined;
    const hint = this.hints[number];
    if (hint !== undefined && this.byHint.get(hint) === number) this.byHint.delete(hint);
    this.hints[number] = undefined;
    this.free.push(number);
    if (this.lastNumber === number) {
      this.lastName = undefined;
      this.lastNumber = -1;
    }
  }
}
