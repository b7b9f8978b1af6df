import { asyncScheduler, Observable, SchedulerLike } from 'rxjs';
import { ownsEverything, reassignments, type Assignment, type Envelope } from '../../core/stream';
import type { MetricAggregate, MetricSample } from '../../schemas';
import { Batch, emptyStats } from './batch';
import { seriesOf } from './series-key';
import { OpenWindows } from './open-windows';
import { offsetBefore, WindowAccumulator } from './window-accumulator';

export interface WindowOptions {
  /** Tumbling window sizes, in ms. */
  windowsMs: number[];
  /** How far behind the newest event time of a partition a sample may arrive and still count. */
  allowedLatenessMs: number;
  /** A partition with no events for this long has its watermark moved to processing time. */
  idleTimeoutMs: number;
  /** Open windows kept at most; past it the oldest is closed early (counted). */
  maxOpenWindows: number;
  /** True while the source holds back for backpressure: then no partition counts as idle. */
  sourceHolding?: () => boolean;
  /** Partitions this member owns: a revoked partition's open windows are dropped, unpublished. */
  assignment?: Assignment;
}

export const DEFAULT_WINDOWS: WindowOptions = {
  windowsMs: [10_000, 60_000],
  allowedLatenessMs: 5_000,
  idleTimeoutMs: 30_000,
  maxOpenWindows: 200_000,
};

interface PartitionState {
  topic: string;
  maxTs: number;
  lastSeen: number;
  /** Its last batch reached the end of the log: quiet now means idle, not held back. */
  caughtUp: boolean;
  windows: Set<WindowAccumulator>;
}

const noop = () => undefined;

/**
 * Tumbling event-time windows per series (host + metric + attributes) and size. Each partition
 * has a watermark, its newest event time minus the allowed lateness; a window closes, and its
 * aggregate joins the batch, when the watermark passes its end. A sample whose window already
 * closed is late: it is still stored raw, counted in `stats.late`, and left out of aggregates
 * (the documented policy). A partition that goes quiet for `idleTimeoutMs` after reaching the
 * end of its log has its watermark moved to processing time, so its windows still close; those
 * aggregates leave in an envelope of their own. A partition held back by backpressure, or with a
 * backlog still to read, is never idle. Each batch carries the lowest offset of its partition still feeding an open window
 * (`commitFloor`), so a crash re-reads what open windows held and aggregates stay complete.
 */
export function windowAggregate(
  options: Partial<WindowOptions> = {},
  scheduler: SchedulerLike = asyncScheduler,
) {
  const o = { ...DEFAULT_WINDOWS, ...options };
  return (
    source: Observable<Envelope<Batch<MetricSample>>>,
  ): Observable<Envelope<Batch<MetricSample, MetricAggregate>>> =>
    new Observable((subscriber) => {
      const open = new OpenWindows();
      const sizes = o.windowsMs;
      const partitions = new Map<number, PartitionState>();

      const assignment = o.assignment ?? ownsEverything;
      const reassigned = reassignments(assignment);
      const partitionOf = (topic: string, p: number): PartitionState => {
        let state = partitions.get(p);
        if (!state)
          partitions.set(
            p,
            (state = {
              topic,
              maxTs: -Infinity,
              lastSeen: scheduler.now(),
              caughtUp: false,
              windows: new Set(),
            }),
          );
        return state;
      };
      /**
       * After a rebalance, a partition this member lost takes its open windows with it, unpublished:
       * they hold only part of their data, and the new owner re-reads everything from the commit
       * floor and publishes them complete.
       */
      /**
       * Per series, the window of each size its last sample went to: the next sample of a series
       * almost always falls in the same windows, and then finds them without building their keys.
       * A window leaves it when it leaves the open table, so it holds at most the open windows.
       */
      const latest = new Map<string, (WindowAccumulator | undefined)[]>();
      const forget = (w: WindowAccumulator) => {
        open.delete(w);
        // The key is `${size}|${start}|${series}`: the series follows the second '|'.
        const series = w.key.slice(w.key.indexOf('|', w.key.indexOf('|') + 1) + 1);
        const slots = latest.get(series);
        const i = slots ? slots.indexOf(w) : -1;
        if (i < 0) return;
        slots![i] = undefined;
        if (slots!.every((x) => x === undefined)) latest.delete(series);
      };
      const handOver = () => {
        if (!reassigned()) return;
        for (const [p, state] of partitions) {
          if (assignment.owns(state.topic, p)) continue;
          for (const w of state.windows) forget(w);
          partitions.delete(p);
        }
      };
      const remove = (w: WindowAccumulator) => {
        forget(w);
        partitions.get(w.partition)?.windows.delete(w);
      };
      const closeUpTo = (p: number, watermark: number, out: MetricAggregate[]) => {
        const state = partitions.get(p);
        if (!state) return;
        for (const w of state.windows) {
          if (w.end <= watermark) {
            out.push(w.close());
            remove(w);
          }
        }
      };
      const floorOf = (p: number): string | undefined => {
        let min: string | undefined;
        for (const w of partitions.get(p)?.windows ?? [])
          if (min === undefined || offsetBefore(w.minOffset, min)) min = w.minOffset;
        return min;
      };

      const onBatch = (env: Envelope<Batch<MetricSample>>) => {
        const batch = env.payload;
        const closed: MetricAggregate[] = [];
        const stats = { ...batch.stats };
        const touched = new Set<number>();
        const now = scheduler.now();
        handOver();
        const first = batch.records[0]?.source;
        if (first && !assignment.owns(first.topic, first.partition)) {
          // Fetched before the partition was revoked: stored raw, windowed by its new owner.
          subscriber.next({ ...env, payload: { ...batch, commitFloor: undefined } });
          return;
        }
        if (batch.partition !== undefined) {
          const state = first ? partitionOf(first.topic, batch.partition) : partitions.get(batch.partition);
          if (state) {
            state.caughtUp = batch.caughtUp;
            state.lastSeen = now;
          }
        }
        for (const record of batch.records) {
          const { value: s, source: src } = record;
          const p = src.partition;
          const state = partitionOf(src.topic, p);
          touched.add(p);
          const watermark = state.maxTs - o.allowedLatenessMs;
          const offset = src.offset;
          const series = seriesOf(record);
          let slots = latest.get(series);
          let late = false;
          for (let i = 0; i < sizes.length; i++) {
            const size = sizes[i]!;
            const start = s.ts - (((s.ts % size) + size) % size);
            if (start + size <= watermark) {
              late = true;
              continue;
            }
            let w = slots?.[i];
            if (w?.start !== start) {
              const key = `${size}|${start}|${series}`;
              w = open.get(key);
              if (!w) {
                if (open.size >= o.maxOpenWindows) {
                  const oldest = open.oldest()!;
                  closed.push(oldest.close());
                  remove(oldest);
                  stats.windowsForceClosed++;
                  // The evicted window may be one this series was using.
                  slots = latest.get(series);
                }
                w = new WindowAccumulator(key, s, size, start, p, offset);
                open.add(w);
                state.windows.add(w);
              }
              if (!slots)
                latest.set(series, (slots = new Array<WindowAccumulator | undefined>(sizes.length)));
              slots[i] = w;
            }
            w.add(s.ts, s.value, offset);
          }
          if (late) stats.late++;
          if (s.ts > state.maxTs) state.maxTs = s.ts;
        }
        for (const p of touched) closeUpTo(p, partitions.get(p)!.maxTs - o.allowedLatenessMs, closed);
        const commitFloor = batch.partition === undefined ? batch.commitFloor : floorOf(batch.partition);
        subscriber.next({
          ...env,
          payload: { ...batch, stats, aggregates: [...batch.aggregates, ...closed], commitFloor },
        });
      };

      const idleCheck = scheduler.schedule(
        function tick() {
          const now = scheduler.now();
          handOver();
          const closed: MetricAggregate[] = [];
          const holding = o.sourceHolding?.() ?? false;
          for (const [p, state] of partitions) {
            // Quiet is idle only when the partition had reached the end of its log and the
            // source is not holding back: a partition waiting behind backpressure is not idle.
            if (
              holding ||
              !state.caughtUp ||
              state.windows.size === 0 ||
              now - state.lastSeen < o.idleTimeoutMs
            )
              continue;
            state.maxTs = Math.max(state.maxTs, now);
            closeUpTo(p, state.maxTs - o.allowedLatenessMs, closed);
          }
          if (closed.length > 0) {
            subscriber.next({
              payload: {
                partition: undefined,
                caughtUp: true,
                records: [],
                rejects: [],
                stats: emptyStats(),
                aggregates: closed,
                anomalies: [],
                commitFloor: undefined,
              },
              ack: noop,
              nack: noop,
            });
          }
          this.schedule(undefined, Math.max(1, Math.floor(o.idleTimeoutMs / 2)));
        },
        Math.max(1, Math.floor(o.idleTimeoutMs / 2)),
      );

      const subscription = source.subscribe({
        next: onBatch,
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        idleCheck.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
