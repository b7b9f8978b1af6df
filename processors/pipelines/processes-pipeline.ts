import { asyncScheduler, concatMap, map, Observable, SchedulerLike } from 'rxjs';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import { retry, RetryOptions } from '../../core/retry';
import type { AvroSerde } from '../../core/serde';
import type { Envelope, Sink, Source } from '../../core/stream';
import type { DeadLetter, ProcessEvent } from '../../schemas';
import type { KafkaRecord } from '../sources';
import { decode, type Batch } from '../stages';
import { durableSinks, orNack, retryReporter, type BreakerSettings } from '../delivery';

export interface ProcessesPipelineDeps {
  source: Source<KafkaRecord[]>;
  serde: AvroSerde;
  sinks: { store: Sink<ProcessEvent>; deadLetters: Sink<DeadLetter> };
  metrics: PipelineMetrics;
  logger: Logger;
  retry: RetryOptions;
  breaker?: BreakerSettings;
  scheduler?: SchedulerLike;
}

/**
 * The agent's process records (tidewatch.processes.v1) into ClickHouse `processes`:
 *   Kafka batch → schema look-up → decode → (processes ‖ dead letters) → ack.
 * No windows or detection: each batch is committed once both writes are durable.
 */
export function processesPipeline(deps: ProcessesPipelineDeps): Observable<number> {
  const log = deps.logger.child({ component: 'pipeline', pipeline: 'processes' });
  const m = deps.metrics;
  const scheduler = deps.scheduler ?? asyncScheduler;
  const durable = durableSinks({ metrics: m, log, retry: deps.retry, breaker: deps.breaker, scheduler });
  const onRetry = retryReporter(m, log, scheduler);
  const store = durable(deps.sinks.store);
  const deadLetters = durable(deps.sinks.deadLetters);

  const deliver = async (env: Envelope<Batch<ProcessEvent>>) => {
    const { records, rejects } = env.payload;
    const rows = records.map((r) => r.value);
    await Promise.all([rows.length && store.write(rows), rejects.length && deadLetters.write(rejects)]);
    if (rows.length) m.eventsWritten.inc({ sink: store.name }, rows.length);
    for (const r of rejects) m.eventsDropped.inc({ reason: r.error_code });
    env.ack();
    return rows.length;
  };

  return deps.source.batches$.pipe(
    concatMap((env) => {
      m.eventsReceived.inc({ topic: env.payload[0]?.topic ?? 'unknown' }, env.payload.length);
      const values = env.payload.map((r) => r.value);
      const prepared = () =>
        retry(() => deps.serde.prepare(values), { ...deps.retry, onRetry: onRetry('schema-registry') });
      return orNack(env, prepared).pipe(map(() => env));
    }),
    decode<ProcessEvent>(deps.serde, scheduler),
    concatMap((env) => orNack(env, () => deliver(env))),
  );
}
