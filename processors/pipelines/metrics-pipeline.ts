import { asyncScheduler, concatMap, map, Observable, OperatorFunction, SchedulerLike } from 'rxjs';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import { retry, RetryOptions } from '../../core/retry';
import type { AvroSerde } from '../../core/serde';
import { Envelope, ownsEverything, Source, type Assignment } from '../../core/stream';
import type { MetricAggregate, MetricSample } from '../../schemas';
import { orNack, retryReporter } from '../delivery';
import type { Detection } from '../detection';
import type { KafkaRecord } from '../sources';
import {
  decode,
  dedupe,
  readOnce,
  validate,
  windowAggregate,
  type Batch,
  type DedupeOptions,
  type ValidateOptions,
  type WindowOptions,
} from '../stages';
import { timedStage } from './timed-stage';

export interface StageOptions {
  validate?: Partial<ValidateOptions>;
  dedupe?: Partial<DedupeOptions>;
  windows?: Partial<WindowOptions>;
}

export interface MetricsPipelineDeps {
  source: Source<KafkaRecord[]>;
  /** True while the source holds back for backpressure (windows then treat no partition as idle). */
  sourceHolding?: () => boolean;
  /** The partitions this member owns: stateful stages hand a revoked partition's state over. */
  assignment?: Assignment;
  serde: AvroSerde;
  /** Anomaly detection, in this thread or on its own (`processors/detection`). */
  detection: Pick<Detection, 'stage' | 'stageName'>;
  stages?: StageOptions;
  metrics: PipelineMetrics;
  logger: Logger;
  /** Retry policy for registry look-ups (Infinity attempts + an abort signal to stop). */
  retry: RetryOptions;
  scheduler?: SchedulerLike;
}

/**
 * The metrics pipeline's stages, and the only place they meet:
 *   Kafka batch → schema look-up → decode → validate → dedupe → detect → window-aggregate.
 * Stages handle batches one at a time, in order, and are pure: what comes out is plain data, one
 * Kafka batch's good records, rejects, counts, closed aggregates, incidents (or the ticket of
 * detection running on its own thread) and commit floor, plus envelopes of aggregates the idle
 * timer closed. Writing them is the delivery's (`processors/delivery`).
 */
export function metricsPipeline(
  deps: MetricsPipelineDeps,
): Observable<Envelope<Batch<MetricSample, MetricAggregate>>> {
  const log = deps.logger.child({ component: 'pipeline', pipeline: 'metrics' });
  const m = deps.metrics;
  const scheduler = deps.scheduler ?? asyncScheduler;
  const assignment = deps.assignment ?? ownsEverything;
  const measured = <I, O>(name: string, stage: OperatorFunction<I, O>) =>
    timedStage(name, stage, m.stageSeconds);
  const onRetry = retryReporter(m, log, scheduler);

  return deps.source.batches$.pipe(
    concatMap((env) => {
      m.eventsReceived.inc({ topic: env.payload[0]?.topic ?? 'unknown' }, env.payload.length);
      const values = env.payload.map((r) => r.value);
      return orNack(env, () =>
        retry(() => deps.serde.prepare(values), { ...deps.retry, onRetry: onRetry('schema-registry') }),
      ).pipe(map(() => env));
    }),
    measured('decode', decode<MetricSample>(deps.serde, scheduler)),
    readOnce<MetricSample, never>(assignment),
    measured('validate', validate(deps.stages?.validate, scheduler)),
    measured('dedupe', dedupe({ ...deps.stages?.dedupe, assignment }, scheduler)),
    measured(deps.detection.stageName, deps.detection.stage(assignment, scheduler)),
    measured(
      'window',
      windowAggregate({ ...deps.stages?.windows, sourceHolding: deps.sourceHolding, assignment }, scheduler),
    ),
  );
}
