import { DDSketch } from '@datadog/sketches-js';
import type { MetricAggregate, MetricSample } from '../../schemas';

/** One open window of one series: running stats plus a DDSketch for quantiles (1% relative accuracy). */
export class WindowAccumulator {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private lastTs = -Infinity;
  private last = 0;
  private readonly sketch = new DDSketch({ relativeAccuracy: 0.01 });
  /** Lowest Kafka offset that fed this window: it must be re-read if the window is lost. */
  minOffset: bigint;

  constructor(
    /** The window's identity in the open-window table. */
    readonly key: string,
    readonly first: Pick<MetricSample, 'host' | 'metric' | 'unit' | 'attributes'>,
    readonly windowMs: number,
    readonly start: number,
    readonly partition: number,
    offset: bigint,
  ) {
    this.minOffset = offset;
  }

  get end(): number {
    return this.start + this.windowMs;
  }

  add(ts: number, value: number, offset: bigint): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (ts >= this.lastTs) {
      this.lastTs = ts;
      this.last = value;
    }
    this.sketch.accept(value);
    if (offset < this.minOffset) this.minOffset = offset;
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
      p50: this.sketch.getValueAtQuantile(0.5),
      p95: this.sketch.getValueAtQuantile(0.95),
      p99: this.sketch.getValueAtQuantile(0.99),
    };
  }
}
