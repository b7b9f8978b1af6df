import type { ProcessEvent } from '../../../schemas';
import type { Measurement } from '../measurement';

/** What one collector run found: samples, and for the process collector, process records. */
export interface Collected {
  samples: Measurement[];
  processes?: Omit<ProcessEvent, 'event_id' | 'host' | 'ts'>[];
}

/**
 * One source of telemetry. `everyMs` is its cadence (cheap collectors run every interval, expensive
 * ones less often); `collect` reads the host at `nowMs`. Collectors keep whatever state they need
 * between runs (previous counters) and must not throw for a missing device: they report what exists.
 */
export interface Collector {
  readonly name: string;
  readonly everyMs: number;
  /** `abandoned` is aborted when the collection stopped waiting for this run (its timeout). */
  collect(nowMs: number, abandoned?: AbortSignal): Promise<Collected>;
}

export const samplesOnly = (samples: Measurement[]): Collected => ({ samples });
