import { catchError, defer, Observable, SchedulerLike, throwError } from 'rxjs';
import { BreakerOpenError, circuitBreaker, withBreaker } from '../../core/circuit-breaker';
import { errorMessage, TidewatchError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import type { RetryOptions } from '../../core/retry';
import { Envelope, Sink, withRetry } from '../../core/stream';
import type { DeadLetter } from '../../schemas';

export interface BreakerSettings {
  /** Failures in a row that open a sink's breaker. */
  failures: number;
  /** How long it stays open before one trial write. */
  openMs: number;
}

const BREAKER_GAUGE = { closed: 0, half_open: 1, open: 2 } as const;

/** What `retry` reports for a sink or the registry: counted and logged, except breaker refusals. */
export function retryReporter(metrics: PipelineMetrics, log: Logger, scheduler: SchedulerLike) {
  return (sink: string) => (err: unknown, attempt: number, delayMs: number) => {
    if (err instanceof BreakerOpenError) return; // not a write: the breaker held it back
    metrics.sinkWriteFailures.inc({ sink });
    metrics.sinkLastFailure.set({ sink }, scheduler.now() / 1000);
    log.warn({ err, attempt, delayMs, sink }, 'write failed; retrying');
  };
}

/** A record of a batch a sink refused for good, as a dead letter (its JSON, the sink's error). */
function refusedRecord(sink: string, record: unknown, err: TidewatchError, now: number): DeadLetter {
  let value: Buffer | null = null;
  try {
    const text = JSON.stringify(record);
    value = text === undefined ? null : Buffer.from(text);
  } catch {
    // cycles, bigints: the reason still says what failed
  }
  return {
    source_topic: `sink:${sink}`,
    source_partition: -1,
    source_offset: '-1',
    error_code: 'TW_ERR_SINK_REJECTED',
    reason: `${sink} refused the batch for good (${err.code}): ${errorMessage(err)}`,
    original_key: null,
    original_value: value,
    ts: now,
  };
}

/**
 * A sink made durable: writes go through a circuit breaker (exported as metrics) and are retried
 * with backoff and full jitter. A failing sink therefore holds its batch, and so the offsets: the
 * retry waits out the open breaker, the source's in-flight budget fills and the source pauses.
 * Nothing is dropped. A write that fails for good (a `TidewatchError` that is not retriable)
 * would stop the pipeline at the same batch after every restart; with `deadLetters` (the durable
 * dead-letter sink; never give it this fallback itself) each of its records is
 * dead-lettered instead (`TW_ERR_SINK_REJECTED`, counted) and the batch moves on. Anything
 * else that is not retriable (a bug, a shutdown's abort) still ends the pipeline, loudly.
 */
export function durableSinks(o: {
  metrics: PipelineMetrics;
  log: Logger;
  retry: RetryOptions;
  breaker?: BreakerSettings;
  scheduler: SchedulerLike;
  deadLetters?: Sink<DeadLetter>;
}) {
  const report = retryReporter(o.metrics, o.log, o.scheduler);
  return <T>(sink: Sink<T>): Sink<T> => {
    const name = sink.name;
    o.metrics.breakerState.set({ sink: name }, 0);
    const breaker = circuitBreaker(name, {
      ...(o.breaker ?? { failures: 5, openMs: 10_000 }),
      clock: () => o.scheduler.now(),
      onStateChange: (state, err) => {
        o.metrics.breakerState.set({ sink: name }, BREAKER_GAUGE[state]);
        o.metrics.breakerTransitions.inc({ sink: name, to: state });
        o.log[state === 'closed' ? 'info' : 'warn']({ sink: name, state, err }, `circuit breaker ${state}`);
      },
    });
    const retried = withRetry(withBreaker(sink, breaker), { ...o.retry, onRetry: report(name) });
    const deadLetters = o.deadLetters;
    if (!deadLetters) return retried;
    return {
      name,
      close: () => retried.close(),
      async write(batch) {
        try {
          await retried.write(batch);
        } catch (err) {
          if (!(err instanceof TidewatchError) || err.retriable) throw err;
          o.log.error(
            { err, sink: name, count: batch.length },
            'write refused for good; records dead-lettered',
          );
          const now = o.scheduler.now();
          await deadLetters.write(batch.map((r) => refusedRecord(name, r, err, now)));
          o.metrics.eventsDropped.inc({ reason: 'TW_ERR_SINK_REJECTED' }, batch.length);
        }
      },
    };
  };
}

/** Runs `step`; if it fails, the envelope is nacked and the error ends the pipeline. */
export function orNack<E extends Envelope<unknown>, R>(env: E, step: () => Promise<R>): Observable<R> {
  return defer(step).pipe(
    catchError((err) => {
      env.nack(err);
      return throwError(() => err);
    }),
  );
}
