import { DDSketch } from '@datadog/sketches-js';
import type { MetricAggregate, MetricSample } from '../../schemas';

/**
 * Whether Kafka offset `a` comes before `b`, both canonical decimal strings (as kafkajs gives
 * them): a shorter one is smaller, and equal lengths compare as text. Exact for every 64-bit
 * offset, without parsing one per sample.
 */
export function offsetBefore(a: string, b: string): boolean {
  return a.length < b.length || (a.length === b.length && a < b);
}

/** Values held before they go into the sketch together, lowest first (see `flush`). */
const PENDING = 32;

/** One open window of one series: running stats plus a DDSketch for quantiles (1% relative accuracy). */
export class WindowAccumulator {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private lastTs = -Infinity;
  private last = 0;
  private readonly sketch = new DDSketch({ relativeAccuracy: 0.01 });
  private readonly pending = new Float64Array(PENDING);
  private pendingCount = 0;
  /** Lowest Kafka offset that fed this window (a decimal string): it must be re-read if the window is lost. */
  minOffset: string;

  constructor(
    /** The window's identity in the open-window table. */
    readonly key: string,
    readonly first: Pick<MetricSample, 'host' | 'metric' | 'unit' | 'attributes'>,
    readonly windowMs: number,
    readonly start: number,
    readonly partition: number,
    offset: string,
  ) {
    this.minOffset = offset;
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
    this.pending[this.pendingCount++] = value;
    if (this.pendingCount === PENDING) this.flush();
    if (offsetBefore(offset, this.minOffset)) this.minOffset = offset;
  }

  /**
   * Hands the held values to the sketch, the lowest first. The sketch's store re-centres (and
   * re-allocates) its bins whenever a value lands below its lowest so far, which a series' first
   * samples would otherwise do again and again; its counts, and so its quantiles, do not depend
   * on the order.
   */
  private flush(): void {
    const n = this.pendingCount;
    if (n === 0) return;
    const values = this.pending;
    let lowest = 0;
    for (let i = 1; i < n; i++) if (values[i]! < values[lowest]!) lowest = i;
    this.sketch.accept(values[lowest]!);
    for (let i = 0; i < n; i++) if (i !== lowest) this.sketch.accept(values[i]!);
    this.pendingCount = 0;
  }

  close(): MetricAggregate {
    this.flush();
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
      p50: this.sketch.getValueAtQuantile(0.5),
      p95: this.sketch.getValueAtQuantile(0.95),
      p99: this.sketch.getValueAtQuantile(0.99),
    };
  }
}
