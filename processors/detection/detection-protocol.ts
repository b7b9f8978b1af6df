import type { Anomaly } from '../../schemas';
import type { EncodedStates } from '../../sinks/clickhouse/detector-state';
import type { EnsembleOptions, ThresholdRule } from '../detectors';
import type { DetectOptions, StoredState } from '../stages';

/** How the detection thread is set up (its `workerData`): what the detector store and the stage take. */
export interface DetectionSetup {
  maxSeries: number;
  ensemble: Partial<EnsembleOptions>;
  rules: ThresholdRule[];
  detect: Partial<Omit<DetectOptions, 'assignment'>>;
}

/** A series the thread learns once, under a number that its samples then carry. */
export interface SeriesDef {
  sid: number;
  key: string;
  host: string;
  metric: string;
  unit: string;
  attributes: Record<string, string>;
  topic: string;
  partition: number;
}

/**
 * What the processor asks of the thread. A batch's samples travel as numbers, three per sample
 * (series number, event time, value), in a buffer handed over rather than copied; `defs` are the
 * series it has not seen before (after `reset`, it forgets every number first); `disowned` (sent
 * when the assignment changed) lists the `topic:partition`s the processor no longer owns.
 */
export type DetectionRequest =
  | {
      kind: 'batch';
      id: number;
      now: number;
      samples: Float64Array;
      defs: SeriesDef[];
      reset: boolean;
      disowned?: string[];
    }
  | { kind: 'takeDirty'; id: number; limit?: number | undefined; now: number }
  | { kind: 'settle'; id: number; saved: boolean }
  | { kind: 'restore'; id: number; rows: StoredState[] };

/** The thread's answer to request `id`: a batch's incidents, saved states, or what failed. */
export interface DetectionReply {
  id: number;
  error?: string;
  /** A batch's incident states, the series evicted meanwhile, and the seconds it took. */
  anomalies?: Anomaly[];
  evicted?: number;
  seconds?: number;
  /** `takeDirty`: the states to save, encoded for their insert (bytes, transferred). */
  states?: EncodedStates;
  /** `restore`: how many states were taken. */
  taken?: number;
}
