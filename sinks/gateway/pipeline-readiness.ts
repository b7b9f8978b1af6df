import type { Clock } from '../../core/clock';
import type { PipelineMetrics } from '../../core/metrics';

export interface PipelineReadinessOptions {
  /** Pending work (lag or in-flight events) with no sink acknowledging anything for this long: stalled. */
  stallAfterMs: number;
  clock: Clock;
}

export interface PipelineReadiness {
  /** Reads the pipeline's progress now (the gateway calls it every second, and on each check). */
  sample(): Promise<void>;
  /** Resolves while the pipeline is healthy; rejects with why it is not. */
  check(): Promise<void>;
}

type Metric = { get(): Promise<{ values: { labels: object; value: number }[] }> };

const total = async (metric: Metric) => (await metric.get()).values.reduce((n, v) => n + v.value, 0);

/**
 * The pipeline's readiness, read from the metrics it already exports, so it works in whatever
 * process the sinks run in: not ready while a sink's circuit breaker is open
 * (`tidewatch_sink_breaker_state` 2, set by the durable sinks), or while there is work pending
 * (`tidewatch_consumer_lag`, `tidewatch_source_in_flight_events`) and no sink has acknowledged a
 * batch (`tidewatch_batches_flushed_total`, `tidewatch_events_written_total`) for
 * `stallAfterMs`. A gateway without a processor has neither, and is ready.
 */
export function pipelineReadiness(metrics: PipelineMetrics, o: PipelineReadinessOptions): PipelineReadiness {
  if (!(o.stallAfterMs >= 1)) throw new TypeError('pipeline readiness: stallAfterMs must be at least 1');
  let progress = -1;
  let progressAt = o.clock();
  let pending = 0;
  const sample = async () => {
    const done = (await total(metrics.batchesFlushed)) + (await total(metrics.eventsWritten));
    pending = (await total(metrics.consumerLag)) + (await total(metrics.sourceInFlight));
    if (done !== progress || pending <= 0) {
      progress = done;
      progressAt = o.clock();
    }
  };
  return {
    sample,
    async check() {
      const open = (await metrics.breakerState.get()).values
        .filter((v) => v.value >= 2)
        .map((v) => String((v.labels as { sink?: string }).sink));
      if (open.length > 0) throw new Error(`circuit breaker open for sink ${open.join(', ')}`);
      await sample();
      const idleMs = o.clock() - progressAt;
      if (pending > 0 && idleMs >= o.stallAfterMs)
        throw new Error(
          `stalled: ${pending} events pending and no sink progress for ${Math.round(idleMs / 1000)} s`,
        );
    },
  };
}
