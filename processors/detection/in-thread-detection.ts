import { asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Assignment, Envelope } from '../../core/stream';
import type { MetricSample } from '../../schemas';
import type { EnsembleOptions, ThresholdRule } from '../detectors';
import { detectAnomalies, DetectorStore, type Batch, type DetectOptions, type StoredState } from '../stages';
import { encodeDetectorStates, type EncodedStates } from '../../sinks/clickhouse/detector-state';
import { NOTHING_DETECTED, type Detected, type Detection } from './detection';

/**
 * Anomaly detection in the processor's own thread: the `detectAnomalies` stage over a detector
 * store held here. A batch leaves the stage scored (its incidents in `batch.anomalies`), so it
 * never carries a ticket and `results` has nothing to wait for.
 */
export class InThreadDetection implements Detection {
  readonly stageName = 'detect';
  readonly store: DetectorStore;
  /** The states the last `takeDirty` handed out, until their save is settled. */
  private taken: StoredState[] = [];

  constructor(
    maxSeries: number,
    ensemble: Partial<EnsembleOptions>,
    rules: ThresholdRule[],
    private readonly options: Partial<Omit<DetectOptions, 'assignment'>>,
  ) {
    this.store = new DetectorStore(maxSeries, ensemble, rules);
  }

  get maxSeries(): number {
    return this.store.maxSeries;
  }

  stage(
    assignment: Assignment,
    scheduler: SchedulerLike = asyncScheduler,
  ): OperatorFunction<Envelope<Batch<MetricSample>>, Envelope<Batch<MetricSample>>> {
    return detectAnomalies<never>(this.store, { ...this.options, assignment }, scheduler);
  }

  results(): Promise<Detected> {
    return Promise.resolve(NOTHING_DETECTED);
  }

  takeDirty(limit: number | undefined, now: number): EncodedStates {
    this.store.unsaved(this.taken); // taken before and never settled: changed again
    this.taken = this.store.takeDirty(limit);
    return encodeDetectorStates(this.taken, now);
  }

  settle(saved: boolean): void {
    if (!saved) this.store.unsaved(this.taken);
    this.taken = [];
  }

  restore(rows: readonly StoredState[]): number {
    return this.store.restore(rows);
  }

  async close(): Promise<void> {}
}
