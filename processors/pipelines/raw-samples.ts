import {
  asyncScheduler,
  catchError,
  concatMap,
  defer,
  map,
  Observable,
  SchedulerLike,
  throwError,
} from 'rxjs';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import { retry, RetryOptions } from '../../core/retry';
import type { AvroSerde } from '../../core/serde';
import { Sink, Source, withRetry } from '../../core/stream';
import type { DeadLetter, MetricSample } from '../../schemas';
import type { KafkaRecord } from '../sources';
import { decode } from '../stages';

export interface RawSamplesDeps {
  source: Source<KafkaRecord[]>;
  serde: AvroSerde;
  /** Durable store of raw samples (ClickHouse). */
  store: Sink<MetricSample>;
  /** Dead-letter topic. */
  deadLetters: Sink<DeadLetter>;
  /** Live fan-out (gateway); best effort, never holds up a commit. */
  live: Sink<MetricSample>;
  metrics: PipelineMetrics;
  logger: Logger;
  /** Retry policy for registry look-ups and durable sinks (Infinity attempts + an abort signal to stop). */
  retry: RetryOptions;
  scheduler?: SchedulerLike;
}

export interface BatchOutcome {
  received: number;
  written: number;
  deadLettered: number;
}

function countByCode(rejects: DeadLetter[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of rejects) counts.set(r.error_code, (counts.get(r.error_code) ?? 0) + 1);
  return counts;
}

/**
 * The processor's wiring, and the only place stages meet: Kafka batches → schema look-up →
 * decode → (ClickHouse ‖ dead letters) → live fan-out → ack, which lets the source commit.
 * Batches are handled one at a time in order; a failing durable sink is retried with backoff
 * and holds the batch (and so the offsets) until it succeeds.
 */
export function rawSamplesPipeline(deps: RawSamplesDeps): Observable<BatchOutcome> {
  const log = deps.logger.child({ component: 'pipeline', pipeline: 'raw-samples' });
  const onRetry = (sink: string) => (err: unknown, attempt: number, delayMs: number) => {
    deps.metrics.sinkWriteFailures.inc({ sink });
    log.warn({ err, attempt, delayMs, sink }, 'write failed; retrying');
  };
  const store = withRetry(deps.store, { ...deps.retry, onRetry: onRetry(deps.store.name) });
  const deadLetters = withRetry(deps.deadLetters, { ...deps.retry, onRetry: onRetry(deps.deadLetters.name) });
  const scheduler = deps.scheduler ?? asyncScheduler;

  const timed = async (sink: Sink<unknown>, batch: readonly unknown[]) => {
    if (batch.length === 0) return;
    const end = deps.metrics.sinkWriteSeconds.startTimer({ sink: sink.name });
    await sink.write(batch);
    end();
    deps.metrics.batchesFlushed.inc({ sink: sink.name });
    deps.metrics.eventsWritten.inc({ sink: sink.name }, batch.length);
  };

  return deps.source.batches$.pipe(
    concatMap((env) => {
      const topic = env.payload[0]?.topic ?? 'unknown';
      deps.metrics.eventsReceived.inc({ topic }, env.payload.length);
      const values = env.payload.map((r) => r.value);
      return defer(() =>
        retry(() => deps.serde.prepare(values), { ...deps.retry, onRetry: onRetry('schema-registry') }),
      ).pipe(
        map(() => env),
        catchError((err) => {
          env.nack(err);
          return throwError(() => err);
        }),
      );
    }),
    decode<MetricSample>(deps.serde, scheduler),
    concatMap((env) =>
      defer(async (): Promise<BatchOutcome> => {
        const { records, rejects } = env.payload;
        await Promise.all([timed(store, records), timed(deadLetters, rejects)]);
        for (const [reason, n] of countByCode(rejects)) deps.metrics.eventsDropped.inc({ reason }, n);
        if (rejects.length > 0)
          log.warn(
            { count: rejects.length, reasons: Object.fromEntries(countByCode(rejects)) },
            'records dead-lettered',
          );
        await deps.live.write(records).catch((err) => log.warn({ err }, 'live fan-out failed'));
        env.ack();
        return {
          received: records.length + rejects.length,
          written: records.length,
          deadLettered: rejects.length,
        };
      }).pipe(
        catchError((err) => {
          env.nack(err);
          return throwError(() => err);
        }),
      ),
    ),
  );
}
