import { asyncScheduler, Observable, SchedulerLike, Subscription } from 'rxjs';
import type { Envelope } from '../../core/stream';
import { joinParcels, parcelBytes, parcelSize, type Chunk, type Parcel } from './parcel';
import { coalesceOptions, DEFAULT_DELIVERY } from './settings';

export interface CoalesceOptions {
  /** Flush once this many records (samples, rejects, aggregates, incidents) are buffered. */
  maxRecords: number;
  /** Flush once the buffered samples' encoded bytes reach this. */
  maxBytes: number;
  /** Flush this long after the first buffered envelope at the latest. */
  maxWaitMs: number;
  /**
   * True while nothing downstream is being written: a batch that then arrives goes at once
   * (unless the last flush was less than `maxWaitMs` ago), since waiting would fill nothing.
   */
  idle?: () => boolean;
}

/** `processor.insertMaxRows`, `insertMaxBytes` and `insertMaxWaitMs` as they default (`settings.ts`). */
export const DEFAULT_COALESCE: CoalesceOptions = coalesceOptions(DEFAULT_DELIVERY);

/**
 * Joins consecutive parcels (batches from any partitions) into one, so sinks write fewer, larger
 * inserts: a flush happens at `maxRecords`, at `maxBytes` of encoded samples, or `maxWaitMs` after
 * the first buffered parcel, whichever comes first, and when the source completes. Their
 * detection tickets stay in batch order. Batches join only
 * while the sinks are busy: one that finds them `idle` goes at once, if the last flush was at
 * least `maxWaitMs` ago (so going at once never writes more often than the timer would). A
 * pipeline starting, or a light stream, then writes without waiting, and a busy one in large
 * inserts. Memory is bounded by the source's in-flight budget.
 */
export function coalesce<C extends Chunk>(
  options: Partial<CoalesceOptions> = {},
  scheduler: SchedulerLike = asyncScheduler,
) {
  const o = { ...DEFAULT_COALESCE, ...options };
  return (source: Observable<Envelope<Parcel<C>>>): Observable<Envelope<Parcel<C>>> =>
    new Observable((subscriber) => {
      let buffer: Envelope<Parcel<C>>[] = [];
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
        subscriber.next(joinParcels(envs));
      };
      const subscription = source.subscribe({
        next: (env) => {
          buffer.push(env);
          buffered += parcelSize(env.payload);
          bufferedBytes += parcelBytes(env.payload);
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
