import { asyncScheduler, defer, map, Observable, SchedulerLike } from 'rxjs';
import { ownsEverything, reassignments, type Assignment, type Envelope } from '../../core/stream';
import type { MetricSample } from '../../schemas';
import type { Batch, Located } from './batch';
import { SeenIds } from './seen-ids';

export interface DedupeOptions {
  /** Most event ids remembered; past it the oldest are forgotten. */
  maxEntries: number;
  /** How long an id is remembered, in ms. */
  maxAgeMs: number;
  /** Partitions this member owns: ids of a revoked partition are forgotten with it. */
  assignment: Assignment;
}

export const DEFAULT_DEDUPE: DedupeOptions = {
  maxEntries: 500_000,
  maxAgeMs: 15 * 60_000,
  assignment: ownsEverything,
};

/**
 * Drops samples whose event_id was seen within the memory window (an agent re-send, a
 * re-delivery), counting them in `stats.duplicates`. Memory is bounded by count and by age; a
 * duplicate older than the window passes through, and storage dedupes it by key. Ids are kept
 * per partition: when a rebalance takes a partition away, its ids are forgotten, so if it comes
 * back the re-read records count again (the window stage dropped their windows too). Records of
 * a partition this member no longer owns pass through unremembered; their new owner handles them.
 */
export function dedupe(options: Partial<DedupeOptions> = {}, scheduler: SchedulerLike = asyncScheduler) {
  const o = { ...DEFAULT_DEDUPE, ...options };
  return (source: Observable<Envelope<Batch<MetricSample>>>): Observable<Envelope<Batch<MetricSample>>> =>
    defer(() => {
      /** Per partition ("topic:partition"), the ids it delivered. */
      const partitions = new Map<string, { topic: string; partition: number; seen: SeenIds }>();
      let size = 0;
      const reassigned = reassignments(o.assignment);
      const evict = (now: number) => {
        for (const p of partitions.values())
          while (now - p.seen.oldestAt > o.maxAgeMs) {
            p.seen.forgetOldest();
            size--;
          }
        while (size > o.maxEntries) {
          // The partition holding the oldest id gives up ids until another's is older.
          let pick: SeenIds | undefined;
          let at = Infinity;
          let next = Infinity;
          for (const p of partitions.values()) {
            const t = p.seen.oldestAt;
            if (t < at) {
              next = at;
              at = t;
              pick = p.seen;
            } else if (t < next) next = t;
          }
          do {
            pick!.forgetOldest();
            size--;
          } while (size > o.maxEntries && pick!.oldestAt <= next);
        }
      };
      const handOver = () => {
        if (!reassigned()) return;
        for (const [key, p] of partitions)
          if (!o.assignment.owns(p.topic, p.partition)) {
            size -= p.seen.size;
            partitions.delete(key);
          }
      };
      const seenOf = (topic: string, partition: number) => {
        const key = `${topic}:${partition}`;
        let p = partitions.get(key);
        if (!p) partitions.set(key, (p = { topic, partition, seen: new SeenIds() }));
        return p.seen;
      };
      return source.pipe(
        map((env) => {
          const now = scheduler.now();
          handOver();
          evict(now);
          const batch = env.payload;
          const kept: Located<MetricSample>[] = [];
          let duplicates = 0;
          // A batch is one partition's as a rule: its ownership and ids are looked up once per run.
          let seen: SeenIds | undefined;
          let seenTopic = '';
          let seenPartition = -1;
          for (const record of batch.records) {
            const { topic, partition } = record.source;
            if (seenTopic !== topic || seenPartition !== partition) {
              seen = o.assignment.owns(topic, partition) ? seenOf(topic, partition) : undefined;
              seenTopic = topic;
              seenPartition = partition;
            }
            if (!seen) {
              kept.push(record);
              continue;
            }
            const { event_id: id, host } = record.value;
            if (!seen.remember(id, now, host)) {
              duplicates++;
              continue;
            }
            size++;
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
