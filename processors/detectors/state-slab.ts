import { createHash } from 'node:crypto';
import { Baseline, BASELINE_FIELDS } from './baseline';
import { PROFILE_FIELDS, PROFILE_SIZE, type DailyProfile } from './daily-profile';
import { newStepContext, type Detector } from './detector';
import { ALARM_FIELDS, newAlarm, type AlarmState } from './onset-alarm';
import { assign, numberOf, plain, slabView, type SlabView, type View } from './slab-view';
import { Calibrator, CALIBRATOR_FIELDS, CALIBRATOR_SIZE, type SavedCalibrator } from './tail-calibrator';

/** A baseline's numbers as plain data, its profile's buckets as an array. */
export type SavedBaseline = Omit<Baseline, 'profile' | keyof SlabView> & {
  profile: { level: number; buckets: number[] };
};

/** A series' state as plain data: what snapshots save and restore (`state-codec.ts`). */
export interface SeriesState {
  baseline: SavedBaseline;
  detectors: unknown[];
  /** One per detector; those that give a probability themselves have `at` −1. */
  calibrators: SavedCalibrator[];
  alarm: AlarmState;
}

/** One series' state as the detectors read it: views positioned on it by `StateSlab.at`. */
export interface SeriesViews {
  baseline: View<Baseline>;
  detectors: View<unknown>[];
  calibrators: Calibrator[];
  alarm: View<AlarmState>;
}

/** Series per chunk: a fleet's states grow a chunk at a time, never copied. */
const SLOTS_PER_CHUNK = 1024;

/** What a detector's `init` sees when the slab asks it for the names of its state's fields. */
const PROBE = newStepContext();

const BaselineView = slabView<Baseline>(BASELINE_FIELDS);
const ProfileView = slabView<DailyProfile>(PROFILE_FIELDS);
const AlarmView = slabView<AlarmState>(ALARM_FIELDS);

/**
 * The detector states of many series in a few large arrays: each series has a slot, a record of
 * `stride` numbers in a Float64Array chunk (baseline, daily profile, each detector's numbers,
 * each calibrator's totals, the alarm) and `binStride` single-precision numbers in a Float32Array
 * chunk (the calibrators' bins). A fleet's 100 000 series are then some 200 typed arrays instead
 * of millions of small objects and boxed numbers, which the collector would trace again and
 * again. The detectors see one series at a time through shared views (`at`), as plain objects.
 * Bounded: at most `capacity` slots are live; a slot released is handed out again.
 */
export class StateSlab {
  readonly stride: number;
  readonly binStride: number;
  /** The field names of each detector's state, in slab order. */
  readonly detectorFields: string[][];
  private readonly detectorAt: number[] = [];
  private readonly calibratorAt: number[] = [];
  /** Each calibrator's first bin within a slot's bins; −1 for a detector that needs none. */
  private readonly binAt: number[] = [];
  private readonly alarmAt: number;
  private readonly chunkSlots: number;
  private readonly chunks: Float64Array[] = [];
  private readonly binChunks: Float32Array[] = [];
  /** Each chunk's bytes, for copying a slot whole (`bytesOf`, `loadBytes`). */
  private readonly chunkBytes: Buffer[] = [];
  private readonly binChunkBytes: Buffer[] = [];
  /**
   * What a slot's bytes mean: the fields in slab order, each detector's, the calibrators' bins
   * and the byte order. A slot's bytes are loaded only into a slab of the same layout.
   */
  readonly layout: string;
  /** Bytes of one slot's state (`bytesOf`). */
  readonly slotBytes: number;
  private readonly freed: number[] = [];
  private issued = 0;
  private readonly views: SeriesViews;
  /** The slot the views are on (−1: none yet). */
  private positioned = -1;
  /** The chunk the views point into. */
  private chunk = -1;

  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly detectors: readonly Detector<any>[],
    readonly capacity: number,
  ) {
    if (!(capacity >= 1)) throw new Error(`a state slab holds at least 1 series, not ${capacity}`);
    this.detectorFields = detectors.map((d) => Object.keys(d.init(PROBE) as object));
    let at = BASELINE_FIELDS.length + PROFILE_SIZE;
    for (const fields of this.detectorFields) {
      this.detectorAt.push(at);
      at += fields.length;
    }
    let bins = 0;
    for (const d of detectors) {
      this.calibratorAt.push(at);
      at += CALIBRATOR_FIELDS.length;
      this.binAt.push(d.output === 'statistic' ? CALIBRATOR_SIZE * bins++ : -1);
    }
    this.alarmAt = at;
    this.stride = at + ALARM_FIELDS.length;
    this.binStride = bins * CALIBRATOR_SIZE;
    this.slotBytes = 8 * this.stride + 4 * this.binStride;
    const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    this.layout = createHash('sha256')
      .update(
        JSON.stringify([
          BASELINE_FIELDS,
          PROFILE_FIELDS,
          PROFILE_SIZE,
          this.detectorFields,
          CALIBRATOR_FIELDS,
          CALIBRATOR_SIZE,
          this.binAt,
          ALARM_FIELDS,
          littleEndian,
        ]),
      )
      .digest('hex')
      .slice(0, 12);
    this.chunkSlots = Math.min(SLOTS_PER_CHUNK, capacity);
    const none = new Float64Array(0);
    const baseline = new BaselineView(none, 0);
    baseline.profile = new ProfileView(none, 0);
    this.views = {
      baseline,
      detectors: this.detectorFields.map((fields) => new (slabView<unknown>(fields))(none, 0)),
      calibrators: detectors.map(() => new Calibrator(none, 0, new Float32Array(0), -1)),
      alarm: new AlarmView(none, 0),
    };
  }

  /** Series holding a slot. */
  get size(): number {
    return this.issued - this.freed.length;
  }

  /** Bytes of the chunks made so far. */
  get bytes(): number {
    return this.chunks.length * this.chunkSlots * (8 * this.stride + 4 * this.binStride);
  }

  /** A slot for a new series, its numbers all 0 (throws past `capacity`: the caller bounds its series). */
  allocate(): number {
    let slot = this.freed.pop();
    if (slot === undefined) {
      if (this.issued >= this.capacity)
        throw new Error(`detector state slab is full (${this.capacity} series)`);
      slot = this.issued++;
      if (slot >= this.chunks.length * this.chunkSlots) {
        const f = new Float64Array(this.chunkSlots * this.stride);
        const b = new Float32Array(this.chunkSlots * this.binStride);
        this.chunks.push(f);
        this.binChunks.push(b);
        this.chunkBytes.push(Buffer.from(f.buffer, f.byteOffset, f.byteLength));
        this.binChunkBytes.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
      }
    }
    const c = (slot / this.chunkSlots) | 0;
    const local = slot - c * this.chunkSlots;
    this.chunks[c]!.fill(0, local * this.stride, (local + 1) * this.stride);
    this.binChunks[c]!.fill(0, local * this.binStride, (local + 1) * this.binStride);
    return slot;
  }

  /** Gives a slot back; its series' views must not be used again. */
  release(slot: number): void {
    this.freed.push(slot);
  }

  /**
   * The views, positioned on `slot`'s state (until the next call). The detectors' views are of a
   * class each, so moving them is a store V8 cannot specialise: five a sample.
   */
  at(slot: number): SeriesViews {
    if (slot === this.positioned) return this.views; // a series scored sample after sample
    this.positioned = slot;
    const c = (slot / this.chunkSlots) | 0;
    if (c !== this.chunk) this.toChunk(c);
    const local = slot - c * this.chunkSlots;
    const base = local * this.stride;
    const binBase = local * this.binStride;
    const v = this.views;
    v.baseline.i = base;
    v.baseline.profile.i = base + BASELINE_FIELDS.length;
    for (let k = 0; k < v.detectors.length; k++) {
      v.detectors[k]!.i = base + this.detectorAt[k]!;
      const cal = v.calibrators[k]!;
      cal.i = base + this.calibratorAt[k]!;
      cal.at = this.binAt[k]! < 0 ? -1 : binBase + this.binAt[k]!;
    }
    v.alarm.i = base + this.alarmAt;
    return v;
  }

  /** Points the views at chunk `c`'s arrays (`at` sets where in them). */
  private toChunk(c: number): void {
    const f = this.chunks[c]!;
    const v = this.views;
    v.baseline.f = f;
    v.baseline.profile.f = f;
    for (let k = 0; k < v.detectors.length; k++) {
      v.detectors[k]!.f = f;
      v.calibrators[k]!.f = f;
      v.calibrators[k]!.bins = this.binChunks[c]!;
    }
    v.alarm.f = f;
    this.chunk = c;
  }

  /** Fresh calibrators and alarm for a new series (the baseline and the detectors start from its first sample). */
  reset(slot: number): void {
    const v = this.at(slot);
    for (const c of v.calibrators) c.weight = 1;
    assign(v.alarm, ALARM_FIELDS, newAlarm() as unknown as Record<string, unknown>);
  }

  /** The state in `slot` as plain data. */
  save(slot: number): SeriesState {
    const v = this.at(slot);
    const profile = v.baseline.profile;
    const bins = new Float32Array(this.binStride);
    const first = v.calibrators.find((c) => c.at >= 0);
    if (first) bins.set(first.bins.subarray(first.at, first.at + this.binStride));
    return {
      baseline: {
        ...(plain(v.baseline, BASELINE_FIELDS) as Omit<SavedBaseline, 'profile'>),
        profile: {
          level: profile.level,
          buckets: Array.from(profile.f.subarray(profile.i + 1, profile.i + PROFILE_SIZE)),
        },
      },
      detectors: v.detectors.map((d, i) => plain(d, this.detectorFields[i]!)),
      calibrators: v.calibrators.map((c, i) => ({
        bins,
        at: this.binAt[i]!,
        total: c.total,
        tailRun: c.tailRun,
        weight: c.weight,
      })),
      alarm: plain(v.alarm, ALARM_FIELDS) as unknown as AlarmState,
    };
  }

  /**
   * The state in `slot` as its bytes: its numbers, then its bins, as the slab holds them (a copy:
   * `slotBytes` long, of this slab's `layout`). Exact, and a copy instead of a number formatted
   * as text per field.
   */
  bytesOf(slot: number): Buffer {
    const c = (slot / this.chunkSlots) | 0;
    const local = slot - c * this.chunkSlots;
    const out = Buffer.allocUnsafe(this.slotBytes);
    const numbers = 8 * this.stride;
    const bins = 4 * this.binStride;
    this.chunkBytes[c]!.copy(out, 0, local * numbers, (local + 1) * numbers);
    this.binChunkBytes[c]!.copy(out, numbers, local * bins, (local + 1) * bins);
    return out;
  }

  /** Writes a state saved by `bytesOf` (of a slab of the same `layout`) into `slot`. */
  loadBytes(slot: number, bytes: Uint8Array): void {
    if (bytes.byteLength !== this.slotBytes)
      throw new Error(`a slot's state is ${this.slotBytes} bytes, not ${bytes.byteLength}`);
    const c = (slot / this.chunkSlots) | 0;
    const local = slot - c * this.chunkSlots;
    const numbers = 8 * this.stride;
    const bins = 4 * this.binStride;
    this.chunkBytes[c]!.set(bytes.subarray(0, numbers), local * numbers);
    this.binChunkBytes[c]!.set(bytes.subarray(numbers), local * bins);
  }

  /** Writes a saved state into `slot`; a field it lacks is NaN, a calibrator without bins has empty ones. */
  load(slot: number, s: SeriesState): void {
    const v = this.at(slot);
    assign(v.baseline, BASELINE_FIELDS, s.baseline as unknown as Record<string, unknown>);
    const profile = v.baseline.profile;
    assign(profile, PROFILE_FIELDS, { ...s.baseline.profile });
    const buckets: unknown[] = s.baseline.profile?.buckets ?? [];
    for (let h = 1; h < PROFILE_SIZE; h++) profile.f[profile.i + h] = numberOf(buckets[h - 1]);
    v.detectors.forEach((d, i) => assign(d, this.detectorFields[i]!, { ...(s.detectors[i] as object) }));
    v.calibrators.forEach((c, i) => {
      const from = s.calibrators[i]!;
      assign(c, CALIBRATOR_FIELDS, from as unknown as Record<string, unknown>);
      if (c.at < 0) return;
      const saved = from.at >= 0 ? from.bins.subarray(from.at, from.at + CALIBRATOR_SIZE) : undefined;
      if (saved?.length === CALIBRATOR_SIZE) c.bins.set(saved, c.at);
      else c.bins.fill(0, c.at, c.at + CALIBRATOR_SIZE);
    });
    assign(v.alarm, ALARM_FIELDS, s.alarm as unknown as Record<string, unknown>);
  }
}
