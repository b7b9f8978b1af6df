import { asyncScheduler, Observable, SchedulerLike, Subscription } from 'rxjs';
import type { Envelope } from '../../core/stream';
import { Batch, emptyStats, type Chunk, type Detected } from './batch';

export interface CoalesceOptions {
  /** Flush once this many records (plus rejects and aggregates) are buffered. */
  maxRecords: number;
  /** Flush once the buffered records' bytes reach this (as read from Kafka, or as encoded). */
  maxBytes: number;
  /** Flush this long after the first buffered envelope at the latest. */
  maxWaitMs: number;
  /**
   * True while nothing downstream is being written: a batch that then arrives goes at once
   * (unless the last flush was less than `maxWaitMs` ago), since waiting would fill nothing.
   */
  idle?: () => boolean;
}

export const DEFAULT_COALESCE: CoalesceOptions = {
  maxRecords: 80_000,
  maxBytes: 16 * 1024 * 1024,
  maxWaitMs: 500,
};

function merge<T, A, C extends Chunk>(envs: Envelope<Batch<T, A, C>>[]): Envelope<Batch<T, A, C>> {
  const payload: Batch<T, A, C> = {
    partition: undefined,
    caughtUp: envs.every((e) => e.payload.caughtUp),
    records: [],
    rejects: [],
    stats: emptyStats(),
    aggregates: [],
    anomalies: [],
    commitFloor: undefined,
  };
  for (const { payload: b } of envs) {
    payload.records.push(...b.records);
    if (b.chunks) (payload.chunks ??= []).push(...b.chunks);
    payload.rejects.push(...b.rejects);
    payload.aggregates.push(...b.aggregates);
    payload.anomalies.push(...b.anomalies);
    payload.stats.duplicates += b.stats.duplicates;
    payload.stats.late += b.stats.late;
    payload.stats.windowsForceClosed += b.stats.windowsForceClosed;
    payload.stats.lateUnaggregated += b.stats.lateUnaggregated;
    payload.stats.windowsCorrected += b.stats.windowsCorrected;
    payload.stats.windowHostsEvicted += b.stats.windowHostsEvicted;
    payload.stats.detectorSeriesEvicted += b.stats.detectorSeriesEvicted;
  }
  const pending = envs.flatMap((e) => (e.payload.detected ? [e.payload.detected] : []));
  if (pending.length > 0) {
    const joined = Promise.all(pending).then(joinDetected);
    joined.catch(() => undefined); // whoever writes the batch waits for it, and sees a failure
    payload.detected = joined;
  }
  return {
    payload,
    // Each original batch is acknowledged, in order, with its own commit floor.
    ack: () => envs.forEach((e) => e.ack(e.payload.commitFloor)),
    nack: (err) => envs.forEach((e) => e.nack(err)),
  };
}

/** Detection results of joined batches, as one (incidents in batch order). */
function joinDetected(all: Detected[]): Detected {
  return {
    anomalies: all.flatMap((d) => d.anomalies),
    evicted: all.reduce((n, d) => n + d.evicted, 0),
    seconds: all.reduce((n, d) => n + d.seconds, 0),
  };
}

function size(b: Batch<unknown, unknown, Chunk>): number {
  let n = b.records.length + b.rejects.length + b.aggregates.length + b.anomalies.length;
  for (const c of b.chunks ?? []) n += c.count;
  return n;
}

function bytesOf(b: Batch<unknown, unknown, Chunk>): number {
  let n = 0;
  for (const r of b.records) n += r.source.value?.length ?? 0;
  for (const c of b.chunks ?? []) n += c.bytes;
  return n;
}

/**
 * Joins consecutive batches (from any partitions) into one, so sinks write fewer, larger inserts:
 * a flush happens at `maxRecords`, at `maxBytes` of encoded records, or `maxWaitMs` after the
 * first buffered batch, whichever comes first, and when the source completes. Detection results
 * still to come (`detected`) are joined into one, in batch order. Batches join only
 * while the sinks are busy: one that finds them `idle` goes at once, if the last flush was at
 * least `maxWaitMs` ago (so going at once never writes more often than the timer would). A
 * pipeline starting, or a light stream, then writes without waiting, and a busy one in large
 * inserts. Memory is bounded by the source's in-flight budget.
 */
export function coalesce<T, A, C extends Chunk = never>(
  options: Partial<CoalesceOptions> = {},
  scheduler: SchedulerLike = asyncScheduler,
) {
  const o = { ...DEFAULT_COALESCE, ...options };
  return (source: Observable<Envelope<Batch<T, A, C>>>): Observable<Envelope<Batch<T, A, C>>> =>
    new Observable((subscriber) => {
      let buffer: Envelope<Batch<T, A, C>>[] = [];
      let buffered = 0;
      let bufferedBytes = 0;
      let timer: Subscription | undefined;
      let lastFlush = -Infinity;
      const flush = () => {
        timer?.unsubscribe();
        timer = undefined;
        if (buffer.length === 0) return;
        lastFlush = scheduler.now();
        const envs = buffer;
        buffer = [];
        buffered = 0;
        bufferedBytes = 0;
        subscriber.next(
          envs.length === 1
            ? { ...envs[0]!, ack: () => envs[0]!.ack(envs[0]!.payload.commitFloor) }
            : merge(envs),
        );
      };
      const subscription = source.subscribe({
        next: (env) => {
          buffer.push(env);
          buffered += size(env.payload);
          bufferedBytes += bytesOf(env.payload);
          if (
            buffered >= o.maxRecords ||
            bufferedBytes >= o.maxBytes ||
            (o.idle?.() && scheduler.now() - lastFlush >= o.maxWaitMs)
          )
            flush();
          else timer ??= scheduler.schedule(flush, o.maxWaitMs);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
