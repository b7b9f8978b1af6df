import {
  asyncScheduler,
  concatMap,
  finalize,
  map,
  mergeMap,
  Observable,
  OperatorFunction,
  SchedulerLike,
  tap,
} from 'rxjs';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import { retry, RetryOptions } from '../../core/retry';
import type { AvroSerde } from '../../core/serde';
import {
  Envelope,
  ownsEverything,
  Sink,
  Source,
  type Assignment,
  type EncodingSink,
  type LiveOutlet,
} from '../../core/stream';
import type { Anomaly, DeadLetter, MetricAggregate, MetricSample } from '../../schemas';
import type { KafkaRecord } from '../sources';
import {
  coalesce,
  decode,
  dedupe,
  detectAnomalies,
  validate,
  windowAggregate,
  type Batch,
  type DedupeOptions,
  type ValidateOptions,
  type WindowOptions,
  type CoalesceOptions,
  type DetectOptions,
  type Chunk,
  DetectorStore as InProcessDetectors,
} from '../stages';
import type { DetectionWorker } from './detection-worker';
import { durableSinks, orNack, retryReporter, type BreakerSettings } from './durable';
import { orderedDeliveries } from './ordered-deliveries';
import { timedStage } from './timed-stage';

export interface MetricsPipelineSinks<C extends Chunk = Chunk> {
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

export interface StageOptions {
  validate?: Partial<ValidateOptions>;
  dedupe?: Partial<DedupeOptions>;
  windows?: Partial<WindowOptions>;
  coalesce?: Partial<CoalesceOptions>;
  detect?: Partial<DetectOptions>;
}

export interface MetricsPipelineDeps<C extends Chunk = Chunk> {
  source: Source<KafkaRecord[]>;
  /** True while the source holds back for backpressure (windows then treat no partition as idle). */
  sourceHolding?: () => boolean;
  /** The partitions this member owns: stateful stages hand a revoked partition's state over. */
  assignment?: Assignment;
  serde: AvroSerde;
  sinks: MetricsPipelineSinks<C>;
  /**
   * Detector state per series (the processor snapshots and restores it): in this thread, or on a
   * thread of its own (`DetectionWorker`), where scoring then runs beside the other stages.
   */
  detectors: InProcessDetectors | DetectionWorker;
  stages?: StageOptions;
  metrics: PipelineMetrics;
  logger: Logger;
  /** Retry policy for registry look-ups and durable sinks (Infinity attempts + an abort signal to stop). */
  retry: RetryOptions;
  /** Circuit breaker of each durable sink: opens after `failures` in a row, one trial after `openMs`. */
  breaker?: BreakerSettings;
  scheduler?: SchedulerLike;
}

export interface BatchOutcome {
  received: number;
  written: number;
  deadLettered: number;
  aggregates: number;
  anomalies: number;
}

/**
 * Coalesced batches being written at once. The raw insert dominates a delivery and runs mostly
 * in the engine's own threads, so a second one overlaps the first's; topic writes, fan-out and
 * acknowledgements still follow batch order (`orderedDeliveries`).
 */
const DELIVERIES_AT_ONCE = 2;

function countByCode(rejects: DeadLetter[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rejects) counts[r.error_code] = (counts[r.error_code] ?? 0) + 1;
  return counts;
}

/**
 * The processor, and the only place its stages meet:
 *   Kafka batch → schema look-up → decode → validate → dedupe → detect-anomalies → window-aggregate
 *   → encode (samples to the live fan-out and into the raw store's chunk) → coalesce
 *   → (raw samples ‖ [detection's result, when it runs on its own thread] → aggregates ‖ incidents ‖
 *   dead letters) → live fan-out → ack (held at the commit floor).
 * Stages handle batches one at a time, in order; up to two coalesced batches are written at once,
 * their raw inserts overlapping while everything ordered (topics, fan-out, acks) stays in batch
 * order. A failing durable sink is retried with backoff and holds the batch, and so the offsets,
 * until it succeeds.
 */
export function metricsPipeline<C extends Chunk>(deps: MetricsPipelineDeps<C>): Observable<BatchOutcome> {
  const log = deps.logger.child({ component: 'pipeline', pipeline: 'metrics' });
  const m = deps.metrics;
  const scheduler = deps.scheduler ?? asyncScheduler;
  const assignment = deps.assignment ?? ownsEverything;
  const measured = <I, O>(name: string, stage: OperatorFunction<I, O>) =>
    timedStage(name, stage, m.stageSeconds);
  const durableOptions = { metrics: m, log, retry: deps.retry, breaker: deps.breaker, scheduler };
  const durable = durableSinks(durableOptions);
  const onRetry = retryReporter(m, log, scheduler);
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
  const fanOut = (send: (live: NonNullable<MetricsPipelineSinks['live']>) => void) => {
    if (!deps.sinks.live) return;
    try {
      send(deps.sinks.live);
    } catch (err) {
      log.warn({ err }, 'live fan-out failed');
    }
  };

  /**
   * The stages are done with a batch's samples: they go to the live fan-out and are encoded for
   * the raw store (with their Kafka values, which it may keep as they are), and the batch carries
   * the chunk from here on. Samples waiting for their write (coalescing, inserts under way) are
   * then one string or buffer per batch, not objects the garbage collector moves and promotes.
   */
  const encode = map(
    (
      env: Envelope<Batch<MetricSample, MetricAggregate, C>>,
    ): Envelope<Batch<MetricSample, MetricAggregate, C>> => {
      const b = env.payload;
      if (b.records.length === 0) return env;
      const samples = b.records.map((r) => r.value);
      fanOut((live) => live.samples(samples));
      const chunk = deps.sinks.store.encode(
        samples,
        b.records.map((r) => r.source.value),
      );
      return { ...env, payload: { ...b, records: [], chunks: [chunk] } };
    },
  );

  /**
   * Anomaly detection, in this thread or dispatched to its own: then each batch carries its
   * result to come (`detected`, its time there what `detect` measures), which joins the batch
   * in its delivery, before the writes that need it; the raw insert does not wait for it.
   */
  const detectors = deps.detectors;
  const detect: OperatorFunction<
    Envelope<Batch<MetricSample>>,
    Envelope<Batch<MetricSample>>
  > = detectors instanceof InProcessDetectors
    ? measured('detect', detectAnomalies<never>(detectors, { ...deps.stages?.detect, assignment }, scheduler))
    : (source) =>
        source.pipe(
          measured('detect-dispatch', detectors.dispatch<never>(assignment, scheduler)),
          tap((env) =>
            env.payload.detected?.then(
              (d) => m.stageSeconds.observe({ stage: 'detect' }, d.seconds),
              () => undefined, // the delivery that waits for it sees the failure
            ),
          ),
        );
  /** A batch with its detection's result (from another thread) merged in. */
  const withDetection = async (
    b: Batch<MetricSample, MetricAggregate, C>,
  ): Promise<Batch<MetricSample, MetricAggregate, C>> => {
    if (!b.detected) return b;
    const d = await b.detected;
    const stats = { ...b.stats, detectorSeriesEvicted: b.stats.detectorSeriesEvicted + d.evicted };
    return { ...b, detected: undefined, anomalies: [...b.anomalies, ...d.anomalies], stats };
  };

  const delivery = orderedDeliveries();
  /** Deliveries under way (coalesce writes at once when there are none). */
  let delivering = 0;
  const deliver = (env: Envelope<Batch<MetricSample, MetricAggregate, C>>): Promise<BatchOutcome> => {
    const chunks = env.payload.chunks ?? [];
    const written = chunks.reduce((n, c) => n + c.count, 0);
    const complete = withDetection(env.payload);
    complete.catch(() => undefined); // inOrder's wait for it sees the failure
    let batch: Batch<MetricSample, MetricAggregate, C> | undefined;
    return delivery({
      anyOrder: () => timed(store, chunks, written),
      inOrder: async () => {
        batch = await complete;
        const { rejects, aggregates, anomalies } = batch;
        await Promise.all([
          timed(deadLetters, rejects),
          ...aggregateSinks.map((s) => timed(s, aggregates)),
          ...anomalySinks.map((s) => timed(s, anomalies)),
        ]);
      },
      finish: () => delivered({ ...env, payload: batch! }, written),
    });
  };

  const delivered = (env: Envelope<Batch<MetricSample, MetricAggregate, C>>, written: number) => {
    const { rejects, aggregates, anomalies, stats, commitFloor } = env.payload;
    const reasons = countByCode(rejects);
    for (const [reason, n] of Object.entries(reasons)) m.eventsDropped.inc({ reason }, n);
    if (rejects.length > 0) log.warn({ count: rejects.length, reasons }, 'records dead-lettered');
    if (stats.duplicates) m.dedupeHits.inc(stats.duplicates);
    if (stats.late) m.lateEvents.inc(stats.late);
    if (stats.windowsForceClosed) m.windowsForceClosed.inc(stats.windowsForceClosed);
    if (stats.lateUnaggregated) m.lateUnaggregated.inc(stats.lateUnaggregated);
    if (stats.windowsCorrected) m.windowsCorrected.inc(stats.windowsCorrected);
    if (stats.windowHostsEvicted) m.windowHostsEvicted.inc(stats.windowHostsEvicted);
    if (aggregates.length) m.aggregatesEmitted.inc(aggregates.length);
    if (stats.detectorSeriesEvicted) m.detectorSeriesEvicted.inc(stats.detectorSeriesEvicted);
    for (const a of anomalies) m.anomaliesPublished.inc({ status: a.status });
    fanOut((live) => {
      live.anomalies(anomalies);
      live.aggregates(aggregates);
    });
    env.ack(commitFloor);
    return {
      received: written + rejects.length + stats.duplicates,
      written,
      deadLettered: rejects.length,
      aggregates: aggregates.length,
      anomalies: anomalies.length,
    };
  };

  const staged = deps.source.batches$.pipe(
    concatMap((env) => {
      m.eventsReceived.inc({ topic: env.payload[0]?.topic ?? 'unknown' }, env.payload.length);
      const values = env.payload.map((r) => r.value);
      return orNack(env, () =>
        retry(() => deps.serde.prepare(values), { ...deps.retry, onRetry: onRetry('schema-registry') }),
      ).pipe(map(() => env));
    }),
    measured('decode', decode<MetricSample>(deps.serde, scheduler)),
    measured('validate', validate(deps.stages?.validate, scheduler)),
    measured('dedupe', dedupe({ ...deps.stages?.dedupe, assignment }, scheduler)),
    detect,
    measured(
      'window',
      windowAggregate({ ...deps.stages?.windows, sourceHolding: deps.sourceHolding, assignment }, scheduler),
    ),
    measured('encode', encode),
  );
  return staged.pipe(
    coalesce<MetricSample, MetricAggregate, C>(
      { ...deps.stages?.coalesce, idle: () => delivering === 0 },
      scheduler,
    ),
    mergeMap((env) => {
      delivering++;
      return orNack(env, () => deliver(env)).pipe(finalize(() => delivering--));
    }, DELIVERIES_AT_ONCE),
  );
}
