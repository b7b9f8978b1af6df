import { defer, map, type Observable } from 'rxjs';
import { ownsEverything, reassignments, type Assignment, type Envelope } from '../../core/stream';
import type { Batch } from './batch';
import { ReadThrough } from './read-through';

/**
 * Takes each record of a partition in once while this member owns it. After a group join the
 * consumer reads every partition it keeps again from its committed offset, which the window floor
 * holds up to a window's worth of samples back, more than dedupe may remember at a fleet's rate:
 * those records are already on their way through (in flight) or done, and taken in again they
 * would be counted twice in their windows, scored twice and stored twice. They are dropped here,
 * right after decoding (the batch keeps its partition, so its acknowledgement still names the
 * partition's floor), and counted in `stats.reread`. A partition the member lost is forgotten, and
 * its records still in flight pass unmarked (the later stages leave them to their new owner):
 * whoever reads it next, this member again included, starts from its floor afresh.
 */
export function readOnce<T, A>(assignment: Assignment = ownsEverything) {
  return (source: Observable<Envelope<Batch<T, A>>>): Observable<Envelope<Batch<T, A>>> =>
    defer(() => {
      const read = new ReadThrough();
      const reassigned = reassignments(assignment);
      return source.pipe(
        map((env) => {
          if (reassigned()) read.handOver((topic, p) => assignment.owns(topic, p));
          const records = env.payload.records;
          const fresh = (r: { topic: string; partition: number; offset: string }) =>
            !assignment.owns(r.topic, r.partition) || read.take(r.topic, r.partition, r.offset);
          let i = 0;
          while (i < records.length && fresh(records[i]!.source)) i++;
          if (i === records.length) return env; // the common case: nothing read before, nothing made
          const kept = records.slice(0, i);
          for (i++; i < records.length; i++) if (fresh(records[i]!.source)) kept.push(records[i]!);
          const reread = records.length - kept.length;
          const stats = { ...env.payload.stats, reread: env.payload.stats.reread + reread };
          return { ...env, payload: { ...env.payload, records: kept, stats } };
        }),
      );
    });
}
