import { catchError, defer, Observable, SchedulerLike, throwError } from 'rxjs';
import { BreakerOpenError, circuitBreaker, withBreaker } from '../../core/circuit-breaker';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import type { RetryOptions } from '../../core/retry';
import { Envelope, Sink, withRetry } from '../../core/stream';

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

/**
 * A sink made durable: writes go through a circuit breaker (exported as metrics) and are retried
 * with backoff and full jitter. A failing sink therefore holds its batch, and so the offsets: the
 * retry waits out the open breaker, the source's in-flight budget fills and the source pauses.
 * Nothing is dropped.
 */
export function durableSinks(o: {
  metrics: PipelineMetrics;
  log: Logger;
  retry: RetryOptions;
  breaker?: BreakerSettings;
  scheduler: SchedulerLike;
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
    return withRetry(withBreaker(sink, breaker), { ...o.retry, onRetry: report(name) });
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
