import { asyncScheduler, Observable, SchedulerLike } from 'rxjs';
import { ownsEverything, reassignments, type Assignment, type Envelope } from '../../core/stream';
import type { MetricAggregate, MetricSample } from '../../schemas';
import { Batch, emptyStats } from './batch';
import { EventTimeWindows, type WindowSettings } from './event-time-windows';

export interface WindowOptions extends WindowSettings {
  /** Tumbling window sizes, in ms. */
  windowsMs: number[];
  /** How far behind its host's newest event time a sample may arrive and still count. */
  allowedLatenessMs: number;
  /** A host (or a caught-up partition) quiet this long has its watermark moved on. */
  idleTimeoutMs: number;
  /** Open windows kept at most; past it the oldest is closed early (counted). */
  maxOpenWindows: number;
  /** Hosts with a watermark of their own per partition; past it the stalest are evicted (counted). */
  maxHostsPerPartition: number;
  /** How far behind its host's newest event a closed window may still be corrected by late samples. */
  correctionHorizonMs: number;
  /** Closed windows kept for corrections; past it the oldest are forgotten. */
  maxClosedWindows: number;
  /** True while the source holds back for backpressure: then no partition counts as idle. */
  sourceHolding?: () => boolean;
  /**
   * Partitions this member owns: a revoked partition's open windows are dropped, unpublished.
   * `settled` false (the Kafka source's: a rebalance under way, or the source stopping) means this
   * member is not reading: its partitions are quiet for that, so none counts as idle, and after a
   * new assignment quiet is counted afresh. With its fetch counts, a partition is idle only once a
   * fetch begun after its last batch has come back.
   */
  assignment?: Assignment & {
    readonly settled?: boolean;
    readonly fetchesStarted?: number;
    readonly fetchedThrough?: number;
  };
}

export const DEFAULT_WINDOWS: WindowOptions = {
  windowsMs: [60_000],
  allowedLatenessMs: 5_000,
  idleTimeoutMs: 30_000,
  maxOpenWindows: 1_000_000,
  maxHostsPerPartition: 20_000,
  correctionHorizonMs: 6 * 3_600_000,
  maxClosedWindows: 100_000,
};

/** The acknowledgement of a partition's latest batch, which an idle close may repeat with a higher floor. */
interface LastAck {
  acked: boolean;
  raise?: { floor: string | undefined };
  /** The source's acknowledgement of that batch. */
  source(floor?: string): void;
}

const noop = () => undefined;

/**
 * Tumbling event-time windows per series (host + metric + attributes) and size, closed by each
 * host's own watermark (`EventTimeWindows`): one host's fast clock or replayed spool moves only its
 * own windows. Late samples correct their closed window within the correction horizon: the window
 * is emitted again, same identity, larger count. A caught-up partition quiet for `idleTimeoutMs`
 * (or a host quiet that long) has its watermark moved on by the scheduler's clock; those
 * aggregates leave in an envelope of their own whose acknowledgement repeats the partition's last
 * acknowledgement with the raised floor, so the committed offset moves past what is done. A
 * partition held back by backpressure, or with a backlog, is never idle. Each batch carries the
 * lowest offset of its partition still feeding an open window (`commitFloor`), so a crash re-reads
 * what open windows held and aggregates stay complete.
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
      const windows = new EventTimeWindows(o);
      const assignment: NonNullable<WindowOptions['assignment']> = o.assignment ?? ownsEverything;
      const reassigned = reassignments(assignment);
      const lastAcks = new Map<number, LastAck>();
      const handOver = (now: number) => {
        if (!reassigned()) return;
        windows.handOver((topic, p) => assignment.owns(topic, p));
        windows.resume(now);
        for (const p of lastAcks.keys()) if (!windows.known(p)) lastAcks.delete(p);
      };
      /** The batch's ack, remembered as its partition's latest so an idle close can raise its floor. */
      const remembered = (p: number, ack: (floor?: string) => void) => {
        const last: LastAck = { acked: false, source: ack };
        lastAcks.set(p, last);
        return (floor?: string) => {
          ack(floor);
          last.acked = true;
          if (last.raise) ack(last.raise.floor);
        };
      };
      /** Raises the floor of `last`, the batch that was its partition's latest when its windows closed. */
      const raiseFloor = (last: LastAck, floor: string | undefined) => {
        last.raise = { floor };
        if (last.acked) last.source(floor);
      };

      const onBatch = (env: Envelope<Batch<MetricSample>>) => {
        const batch = env.payload;
        const closed: MetricAggregate[] = [];
        const stats = { ...batch.stats };
        const now = scheduler.now();
        handOver(now);
        const first = batch.records[0]?.source;
        if (first && !assignment.owns(first.topic, first.partition)) {
          // Fetched before the partition was revoked: stored raw, windowed by its new owner.
          subscriber.next({ ...env, payload: { ...batch, commitFloor: undefined } });
          return;
        }
        if (batch.partition !== undefined && (first || windows.known(batch.partition)))
          windows.seen(first?.topic ?? '', batch.partition, batch.caughtUp, now, assignment.fetchesStarted);
        windows.add(batch.records, now, closed, stats);
        const p = batch.partition;
        const commitFloor = p === undefined ? batch.commitFloor : windows.floor(p);
        subscriber.next({
          ...env,
          ack: p === undefined ? env.ack : remembered(p, env.ack),
          payload: { ...batch, stats, aggregates: [...batch.aggregates, ...closed], commitFloor },
        });
      };

      const period = Math.max(1, Math.floor(o.idleTimeoutMs / 2));
      const idleCheck = scheduler.schedule(function tick() {
        const now = scheduler.now();
        handOver(now);
        const closed: MetricAggregate[] = [];
        if (assignment.settled === false) windows.resume(now);
        const holding = assignment.settled === false || (o.sourceHolding?.() ?? false);
        const moved = windows.idle(now, holding, closed, assignment.fetchedThrough);
        if (closed.length > 0) {
          // Each partition's latest batch now: a later one may open windows this floor does not know.
          const floors = moved.flatMap((p) => {
            const last = lastAcks.get(p);
            return last ? [[last, windows.floor(p)] as const] : [];
          });
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
            ack: () => floors.forEach(([last, floor]) => raiseFloor(last, floor)),
            nack: noop,
          });
        }
        this.schedule(undefined, period);
      }, period);

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
