import type { MetricAggregate, MetricSample } from '../../schemas';
import { ValueDigest } from './value-digest';

/**
 * Whether Kafka offset `a` comes before `b`, both canonical decimal strings (as kafkajs gives
 * them): a shorter one is smaller, and equal lengths compare as text. Exact for every 64-bit
 * offset, without parsing one per sample.
 */
export function offsetBefore(a: string, b: string): boolean {
  return a.length < b.length || (a.length === b.length && a < b);
}

/** A series' names as windows keep them. */
export type SeriesIdentity = Readonly<Pick<MetricSample, 'host' | 'metric' | 'unit' | 'attributes'>>;

/**
 * An identity made here: a window given one keeps it as it is (shared by the series' windows).
 * Known by its class, not by a WeakSet of a fleet's 100k+ identities, which the collector would
 * have to walk as an ephemeron table.
 */
class Identity implements SeriesIdentity {
  constructor(
    readonly host: string,
    readonly metric: string,
    readonly unit: string,
    readonly attributes: MetricSample['attributes'],
  ) {}
}

/**
 * The names of `sample`'s series, for its windows to share (one object per series, not one per
 * window: ~50 bytes a window at a fleet's 100k+ series), not the sample itself, which would then
 * outlive its batch.
 */
export function seriesIdentity(sample: SeriesIdentity): SeriesIdentity {
  if (sample instanceof Identity) return sample;
  return new Identity(sample.host, sample.metric, sample.unit, sample.attributes);
}

/**
 * One window of one series: running stats plus its values for quantiles (`ValueDigest`: exact for
 * a few samples, then a DDSketch). A closed window is kept, compacted, for late samples to correct
 * it (`add` again, then `close` re-emits it with the larger count).
 */
export class WindowAccumulator {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private lastTs = -Infinity;
  private last = 0;
  private readonly digest = new ValueDigest();
  /** Lowest Kafka offset that fed this window (a decimal string): it must be re-read if the window is lost. */
  minOffset: string;
  /** Highest Kafka offset that fed this window. */
  maxOffset: string;
  /** The series' names (`seriesIdentity`: shared with its other windows). */
  readonly first: SeriesIdentity;

  constructor(
    /** The window's identity in the open-window table. */
    readonly key: string,
    first: Pick<MetricSample, 'host' | 'metric' | 'unit' | 'attributes'>,
    readonly windowMs: number,
    readonly start: number,
    readonly partition: number,
    offset: string,
  ) {
    this.first = seriesIdentity(first);
    this.minOffset = offset;
    this.maxOffset = offset;
  }

  get end(): number {
    return this.start + this.windowMs;
  }

  add(ts: number, value: number, offset: string): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (ts >= this.lastTs) {
      this.lastTs = ts;
      this.last = value;
    }
    this.digest.add(value);
    if (offsetBefore(offset, this.minOffset)) this.minOffset = offset;
    if (offsetBefore(this.maxOffset, offset)) this.maxOffset = offset;
  }

  /** Opens a closed window again at `offset`: what it held before was emitted already. */
  reopen(offset: string): void {
    this.minOffset = offset;
  }

  /** Drops spare capacity once closed (kept for corrections). */
  compact(): void {
    this.digest.compact();
  }

  close(): MetricAggregate {
    return {
      host: this.first.host,
      metric: this.first.metric,
      unit: this.first.unit,
      attributes: this.first.attributes,
      window_start: this.start,
      window_ms: this.windowMs,
      count: this.count,
      sum: this.sum,
      min: this.min,
      max: this.max,
      mean: this.sum / this.count,
      last: this.last,
      // One at a time: an array of the three was one more allocation per window closed.
      p50: this.digest.quantile(0.5),
      p95: this.digest.quantile(0.95),
      p99: this.digest.quantile(0.99),
    };
  }
}
