import type { OperatorFunction, SchedulerLike } from 'rxjs';
import type { Assignment, Envelope } from '../../core/stream';
import type { Anomaly, MetricSample } from '../../schemas';
import type { Batch, DetectionTicket } from '../stages';
import type { BaselineStore } from './detector-baselines';

/** What detection found for one or more batches sent off, and the seconds it took there. */
export interface Detected {
  anomalies: Anomaly[];
  /** Series whose detector state was dropped meanwhile. */
  evicted: number;
  seconds: number;
}

export const NOTHING_DETECTED: Detected = { anomalies: [], evicted: 0, seconds: 0 };

/**
 * Anomaly detection as the processor sees it, wherever it runs. `stage` is the detect stage: it
 * either scores a batch where it is (its incidents in `batch.anomalies`, like any stage's output)
 * or sends its samples off and lets it go on at once with a ticket (`batch.detection`); the
 * delivery asks `results` for the tickets of the batches it writes, when it needs their incidents,
 * so a raw insert never waits for detection. The detector state it holds is what the baselines
 * save and restore (`BaselineStore`). `close` ends what runs beside the pipeline; safe twice.
 */
export interface Detection extends BaselineStore {
  /** The name the stage's time per batch is observed under (`tidewatch_stage_seconds`). */
  readonly stageName: string;
  stage(
    assignment: Assignment,
    scheduler?: SchedulerLike,
  ): OperatorFunction<Envelope<Batch<MetricSample>>, Envelope<Batch<MetricSample>>>;
  /** What was found for these tickets' batches, joined in ticket order; each ticket is taken once. */
  results(tickets: readonly DetectionTicket[]): Promise<Detected>;
  close(): Promise<void>;
}

/** Results of several batches as one (incidents in batch order). */
export function joinDetected(all: readonly Detected[]): Detected {
  if (all.length === 1) return all[0]!;
  return {
    anomalies: all.flatMap((d) => d.anomalies),
    evicted: all.reduce((n, d) => n + d.evicted, 0),
    seconds: all.reduce((n, d) => n + d.seconds, 0),
  };
}
