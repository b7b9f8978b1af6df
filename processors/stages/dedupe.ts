import { asyncScheduler, defer, map, Observable, SchedulerLike } from 'rxjs';
import type { Envelope } from '../../core/stream';
import type { MetricSample } from '../../schemas';
import type { Batch } from './batch';

export interface DedupeOptions {
  /** Most event ids remembered; past it the oldest are forgotten. */
  maxEntries: number;
  /** How long an id is remembered, in ms. */
  maxAgeMs: number;
}

export const DEFAULT_DEDUPE: DedupeOptions = { maxEntries: 500_000, maxAgeMs: 15 * 60_000 };

/**
 * Drops samples whose event_id was seen within the memory window (an agent re-send, a
 * re-delivery), counting them in `stats.duplicates`. Memory is bounded by count and by age; a
 * duplicate older than the window passes through, and storage dedupes it by key.
 */
export function dedupe(options: Partial<DedupeOptions> = {}, scheduler: SchedulerLike = asyncScheduler) {
  const o = { ...DEFAULT_DEDUPE, ...options };
  return (source: Observable<Envelope<Batch<MetricSample>>>): Observable<Envelope<Batch<MetricSample>>> =>
    defer(() => {
      const seen = new Map<string, number>(); // insertion order = age order
      const evict = (now: number) => {
        for (const [id, at] of seen) {
          if (seen.size <= o.maxEntries && now - at <= o.maxAgeMs) break;
          seen.delete(id);
        }
      };
      return source.pipe(
        map((env) => {
          const now = scheduler.now();
          evict(now);
          const batch = env.payload;
          const kept = [];
          let duplicates = 0;
          for (const record of batch.records) {
            const id = record.value.event_id;
            if (seen.has(id)) {
              duplicates++;
              continue;
            }
            seen.set(id, now);
            kept.push(record);
          }
          evict(now);
          return {
            ...env,
            payload: {
              ...batch,
              records: kept,
              stats: { ...batch.stats, duplicates: batch.stats.duplicates + duplicates },
            },
          };
        }),
      );
    });
}
