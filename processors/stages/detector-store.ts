import {
  compileRule,
  DEFAULT_ENSEMBLE,
  decodeState,
  decodeStateBytes,
  encodeStateBytes,
  metricLabel,
  type CompiledRule,
  type EnsembleOptions,
  type OpenIncident,
  type RuleState,
  type SeriesRef,
  type ThresholdRule,
  SeriesDetector,
  stateSlab,
  type StateSlab,
} from '../detectors';

export interface SeriesEntry {
  ref: SeriesRef;
  /** Where the series is read from: its state moves with the partition on a rebalance. */
  topic: string;
  partition: number;
  label: string;
  detector: SeriesDetector;
  rules: Array<{ rule: CompiledRule; state: RuleState }>;
  incident: OpenIncident | undefined;
  /** Processing time of the series' last sample (for stale incidents). */
  lastSeen: number;
  /** Seen again since eviction last passed over it (its second chance). */
  touched: boolean;
  /** Learned something since the last snapshot. */
  dirty: boolean;
}

export interface StoredState {
  series: string;
  host: string;
  state: string;
}

/**
 * The anomaly stage's memory, one entry per series, held outside the stage so the processor can
 * snapshot it (baselines survive restarts and rebalances) without the stage doing I/O. Bounded:
 * past `maxSeries` a series not seen lately and without an open incident is dropped (counted;
 * second-chance eviction, so a busy series is not thrown out just for being old); restored
 * states wait in a second bounded map until their series shows up.
 *
 * Eviction order lives in an array read from `head` (entries that left another way are skipped
 * there), not in the Map's own order: a Map deleted from at the front walks every deleted slot
 * again on each read until it is rehashed, which at a fleet's 100k series over the cap made
 * every new series cost ~80 µs instead of ~1.
 */
export class DetectorStore {
  readonly entries = new Map<string, SeriesEntry>();
  /** Entries oldest first from `head`, for eviction; may hold entries no longer in `entries`. */
  private order: SeriesEntry[] = [];
  private head = 0;
  /** Series with an open incident. */
  readonly open = new Set<string>();
  /** Every series' detector state, those restored ahead of their first sample included. */
  readonly slab: StateSlab;
  /** Restored states waiting for their series, by the slot that holds them. */
  private readonly restored = new Map<string, number>();
  /** Released series' last states, saved with the next snapshot so their new owner gets them. */
  private releasedStates: StoredState[] = [];
  private readonly rules: CompiledRule[];
  private readonly ensemble: Partial<EnsembleOptions>;
  evicted = 0;

  constructor(
    readonly maxSeries: number,
    ensemble: Partial<EnsembleOptions> = {},
    rules: ThresholdRule[] = [],
  ) {
    if (!(maxSeries >= 1)) throw new Error(`maxSeries must be at least 1, not ${maxSeries}`);
    this.ensemble = ensemble;
    this.rules = rules.map(compileRule);
    // `maxSeries` in use and as many restored, and the one `entry` adds before it evicts.
    this.slab = stateSlab(ensemble, 2 * maxSeries + 1);
  }

  /** The entry for a series, created (from a restored state when there is one) on first sight. */
  entry(
    key: string,
    sample: Omit<SeriesRef, 'key'>,
    from: { topic: string; partition: number },
    now: number,
  ): SeriesEntry {
    let e = this.entries.get(key);
    if (e) {
      e.lastSeen = now;
      e.touched = true;
      return e;
    }
    const r: SeriesRef = {
      key,
      host: sample.host,
      metric: sample.metric,
      unit: sample.unit,
      attributes: sample.attributes,
    };
    const detector = new SeriesDetector(this.ensemble, undefined, this.slab);
    const slot = this.restored.get(key);
    if (slot !== undefined) {
      this.restored.delete(key);
      detector.adopt(slot);
    }
    e = {
      ref: r,
      topic: from.topic,
      partition: from.partition,
      label: metricLabel(r.metric, r.attributes),
      detector,
      rules: this.rules
        .filter((x) => x.matches(r.host, r.metric))
        .map((rule) => ({ rule, state: rule.newState() })),
      incident: undefined,
      lastSeen: now,
      touched: false,
      dirty: true,
    };
    this.entries.set(key, e);
    this.order.push(e);
    this.evictOverLimit(e);
    return e;
  }

  /**
   * After the caller scored a sample with `e`: an entry evicted as it was made (every older series
   * had been seen again since the last pass, so the new one went first) scored that sample with
   * its state (a restored one included) and gives the state's slot back now.
   */
  done(e: SeriesEntry): void {
    if (this.entries.get(e.ref.key) !== e) e.detector.free();
  }

  /** Evicts past `maxSeries`; `made`, the entry just made, keeps its state until `done`. */
  private evictOverLimit(made: SeriesEntry): void {
    // Second chance: the oldest entry goes to the back instead of out if it was seen again or has
    // an open incident; after one full pass everything has had its chance, so this ends.
    let chances = this.entries.size;
    while (this.entries.size > this.maxSeries) {
      const e = this.order[this.head++]!;
      const key = e.ref.key;
      if (this.entries.get(key) !== e) continue; // released, or replaced since
      if (chances-- > 0 && (e.touched || this.open.has(key))) {
        e.touched = false;
        this.order.push(e);
        continue;
      }
      this.entries.delete(key);
      this.open.delete(key);
      if (e !== made) e.detector.free();
      this.evicted++;
    }
    this.trim();
  }

  /** Drops the front of `order` once it is most of the array, and left entries when they are. */
  private trim(): void {
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    if (this.order.length - this.head > 2 * this.entries.size + 1024) {
      this.order = this.order.slice(this.head).filter((e) => this.entries.get(e.ref.key) === e);
      this.head = 0;
    }
  }

  /** Removes and returns the entries read from partitions `owns` rejects (after a rebalance). */
  release(owns: (topic: string, partition: number) => boolean): SeriesEntry[] {
    const released: SeriesEntry[] = [];
    for (const [key, e] of this.entries) {
      if (owns(e.topic, e.partition)) continue;
      this.entries.delete(key);
      this.open.delete(key);
      released.push(e);
      const state = e.dirty ? this.encoded(e) : undefined;
      if (state && this.releasedStates.length < this.maxSeries)
        this.releasedStates.push({ series: key, host: e.ref.host, state });
      e.detector.free();
    }
    this.trim();
    return released;
  }

  /** Up to `limit` states to snapshot (encoded), clearing their dirty marks; released series' first. */
  takeDirty(limit = Infinity): StoredState[] {
    const out: StoredState[] = this.releasedStates.splice(0, limit);
    if (out.length >= limit) return out;
    for (const [series, e] of this.entries) {
      const state = e.dirty ? this.encoded(e) : undefined;
      if (!state) continue;
      e.dirty = false;
      out.push({ series, host: e.ref.host, state });
      if (out.length >= limit) break;
    }
    return out;
  }

  /** A series' state as snapshot text: its slab's bytes (`encodeStateBytes`). */
  private encoded(e: SeriesEntry): string | undefined {
    const bytes = e.detector.saveBytes();
    return bytes && encodeStateBytes(this.slab.layout, bytes);
  }

  /** Takes back states whose save failed, to be saved with the next snapshot. */
  unsaved(rows: readonly StoredState[]): void {
    for (const row of rows) {
      const e = this.entries.get(row.series);
      if (e) e.dirty = true;
      else if (this.releasedStates.length < this.maxSeries) this.releasedStates.push(row);
    }
  }

  /** Offers snapshotted states; a series already in memory keeps its own. Returns how many were taken. */
  restore(rows: readonly StoredState[]): number {
    const detectors = (this.ensemble.detectors ?? DEFAULT_ENSEMBLE.detectors).length;
    let taken = 0;
    for (const row of rows) {
      if (this.entries.has(row.series) || this.restored.size >= this.maxSeries) continue;
      const bytes = decodeStateBytes(row.state, this.slab.layout, this.slab.slotBytes);
      const state = bytes ? undefined : decodeState(row.state, detectors);
      if (!bytes && !state) continue;
      const slot = this.restored.get(row.series) ?? this.slab.allocate();
      if (bytes) this.slab.loadBytes(slot, bytes);
      else this.slab.load(slot, state!);
      this.restored.set(row.series, slot);
      taken++;
    }
    return taken;
  }
}
