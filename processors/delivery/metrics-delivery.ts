import { asyncScheduler, finalize, map, mergeMap, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import type { RetryOptions } from '../../core/retry';
import type { EncodingSink, Envelope, LiveOutlet, Sink } from '../../core/stream';
import type { Anomaly, DeadLetter, MetricAggregate, MetricSample } from '../../schemas';
import type { Detection } from '../detection';
import type { Batch } from '../stages';
import { coalesce, type CoalesceOptions } from './coalesce';
import { durableSinks, orNack, type BreakerSettings } from './durable';
import { orderedDeliveries } from './ordered-deliveries';
import { outcomeOf, type BatchOutcome } from './outcome';
import type { Chunk, Parcel } from './parcel';

export interface MetricsSinks<C extends Chunk = Chunk> {
  /** Raw samples (ClickHouse `metrics`), encoded as soon as the stages are done with a batch. */
  store: EncodingSink<MetricSample, C>;
  /** Closed windows (ClickHouse `aggregates`, the aggregates topic). */
  aggregates: Sink<MetricAggregate>[];
  /** Incident states (ClickHouse `anomalies`, the anomalies topic). */
  anomalies: Sink<Anomaly>[];
  /** The dead-letter topic. */
  deadLetters: Sink<DeadLetter>;
  /**
   * Live fan-out (the gateway); best effort, never holds up a commit. Samples reach it when the
   * stages are done with them (as they reach a gateway fed from the topic), aggregates and
   * incidents once they are stored.
   */
  live?: LiveOutlet<MetricSample, MetricAggregate, Anomaly>;
}

export interface MetricsDeliveryDeps<C extends Chunk = Chunk> {
  sinks: MetricsSinks<C>;
  /** Where the incidents of batches that carry a detection ticket come from. */
  detection: Pick<Detection, 'results'>;
  coalesce?: Partial<Omit<CoalesceOptions, 'idle'>>;
  metrics: PipelineMetrics;
  logger: Logger;
  /** Retry policy of the durable sinks (Infinity attempts + an abort signal to stop). */
  retry: RetryOptions;
  /** Circuit breaker of each durable sink: opens after `failures` in a row, one trial after `openMs`. */
  breaker?: BreakerSettings;
  scheduler?: SchedulerLike;
}

/**
 * Coalesced parcels being written at once. The raw insert dominates a delivery and runs mostly
 * in the engine's own threads, so a second one overlaps the first's; topic writes, fan-out and
 * acknowledgements still follow batch order (`orderedDeliveries`).
 */
const DELIVERIES_AT_ONCE = 2;

/**
 * Everything after the stages, for the metrics pipeline:
 *   encode (samples to the live fan-out and into the raw store's chunk) → coalesce
 *   → (raw samples ‖ [detection's results for the tickets] → aggregates ‖ incidents ‖ dead letters)
 *   → live fan-out (aggregates, incidents) → ack (each batch at its commit floor).
 * Up to two coalesced parcels are written at once, their raw inserts overlapping while everything
 * ordered (topics, fan-out, acks) stays in batch order; coalesce joins parcels only while a
 * delivery is under way. A failing durable sink is retried with backoff behind its circuit
 * breaker and holds the parcel, and so the offsets, until it succeeds; aggregates and incidents a
 * sink refuses for good are dead-lettered instead. A delivery that fails nacks its batches and
 * ends the stream.
 */
export function metricsDelivery<C extends Chunk>(
  deps: MetricsDeliveryDeps<C>,
): OperatorFunction<Envelope<Batch<MetricSample, MetricAggregate>>, BatchOutcome> {
  const log = deps.logger.child({ component: 'delivery', pipeline: 'metrics' });
  const m = deps.metrics;
  const scheduler = deps.scheduler ?? asyncScheduler;
  const durableOptions = { metrics: m, log, retry: deps.retry, breaker: deps.breaker, scheduler };
  const durable = durableSinks(durableOptions);
  const deadLetters = durable(deps.sinks.deadLetters);
  // Aggregates and incidents dead-letter a batch their sink refuses for good instead of stopping
  // the pipeline; the raw store's chunks are not records (its failures are retriable).
  const orDeadLetters = durableSinks({ ...durableOptions, deadLetters });
  const store = durable(deps.sinks.store.sink);
  const aggregateSinks = deps.sinks.aggregates.map(orDeadLetters);
  const anomalySinks = deps.sinks.anomalies.map(orDeadLetters);

  const timed = async <T>(sink: Sink<T>, batch: readonly T[], events = batch.length) => {
    if (events === 0) return;
    const end = m.sinkWriteSeconds.startTimer({ sink: sink.name });
    await sink.write(batch);
    m.stageSeconds.observe({ stage: `write:${sink.name}` }, end());
    m.batchesFlushed.inc({ sink: sink.name });
    m.eventsWritten.inc({ sink: sink.name }, events);
  };

  /** Best effort: a failing live outlet is logged and never holds up the batch. */
  const fanOut = (send: (live: NonNullable<MetricsSinks['live']>) => void) => {
    if (!deps.sinks.live) return;
    try {
      send(deps.sinks.live);
    } catch (err) {
      log.warn({ err }, 'live fan-out failed');
    }
  };

  /**
   * The stages are done with a batch's samples: they go to the live fan-out and are encoded for
   * the raw store (with their Kafka values, which it may keep as they are) into the parcel's
   * chunk. Samples waiting for their write (coalescing, inserts under way) are then one string or
   * buffer per batch, not objects the garbage collector moves and promotes.
   */
  const encode = (env: Envelope<Batch<MetricSample, MetricAggregate>>): Envelope<Parcel<C>> => {
    const started = performance.now();
    const b = env.payload;
    const chunks: C[] = [];
    if (b.records.length > 0) {
      const samples = b.records.map((r) => r.value);
      fanOut((live) => live.samples(samples));
      chunks.push(
        deps.sinks.store.encode(
          samples,
          b.records.map((r) => r.source.value),
        ),
      );
    }
    const { rejects, aggregates, anomalies, stats, commitFloor, detection } = b;
    const tickets = detection === undefined ? [] : [detection];
    m.stageSeconds.observe({ stage: 'encode' }, (performance.now() - started) / 1000);
    // The parcel keeps the batch's ack, not the batch: its samples and Kafka records are garbage now.
    const { ack, nack } = env;
    return {
      payload: { chunks, rejects, aggregates, anomalies, stats, tickets },
      ack: () => ack(commitFloor),
      nack,
    };
  };

  const ordered = orderedDeliveries();
  /** Deliveries under way (coalesce writes at once when there are none). */
  let delivering = 0;
  const deliver = (env: Envelope<Parcel<C>>): Promise<BatchOutcome> => {
    const parcel = env.payload;
    const written = parcel.chunks.reduce((n, c) => n + c.count, 0);
    const detected = deps.detection.results(parcel.tickets);
    detected.catch(() => undefined); // inOrder's wait for it sees the failure
    let complete = parcel;
    return ordered({
      anyOrder: () => timed(store, parcel.chunks, written),
      inOrder: async () => {
        const d = await detected;
        if (d.anomalies.length > 0 || d.evicted > 0) {
          const stats = {
            ...parcel.stats,
            detectorSeriesEvicted: parcel.stats.detectorSeriesEvicted + d.evicted,
          };
          complete = { ...parcel, anomalies: [...parcel.anomalies, ...d.anomalies], stats };
        }
        const { rejects, aggregates, anomalies } = complete;
        await Promise.all([
          timed(deadLetters, rejects),
          ...aggregateSinks.map((s) => timed(s, aggregates)),
          ...anomalySinks.map((s) => timed(s, anomalies)),
        ]);
      },
      finish: () => {
        const outcome = outcomeOf(complete, written, m, log);
        fanOut((live) => {
          live.anomalies(complete.anomalies);
          live.aggregates(complete.aggregates);
        });
        env.ack();
        return outcome;
      },
    });
  };

  return (staged) =>
    staged.pipe(
      map(encode),
      coalesce<C>({ ...deps.coalesce, idle: () => delivering === 0 }, scheduler),
      mergeMap((env) => {
        delivering++;
        return orNack(env, () => deliver(env)).pipe(finalize(() => delivering--));
      }, DELIVERIES_AT_ONCE),
    );
}
