import type { MetricAggregate, MetricSample } from '../../schemas';
import type { BatchStats, Located } from './batch';
import { ClosedWindows } from './closed-windows';
import { HostWatermarks, type HostClock } from './host-watermarks';
import { OpenWindows } from './open-windows';
import { seriesOf } from './series-key';
import { offsetBefore, WindowAccumulator } from './window-accumulator';

export interface WindowSettings {
  windowsMs: number[];
  allowedLatenessMs: number;
  idleTimeoutMs: number;
  maxOpenWindows: number;
  maxHostsPerPartition: number;
  correctionHorizonMs: number;
  maxClosedWindows: number;
}

interface PartitionState {
  topic: string;
  /** Newest event time of any host (only to bound a quiet host's watermark). */
  maxTs: number;
  lastSeen: number;
  caughtUp: boolean;
  hosts: HostWatermarks;
}

type Stats = Pick<
  BatchStats,
  'late' | 'lateUnaggregated' | 'windowsCorrected' | 'windowsForceClosed' | 'windowHostsEvicted'
>;

/**
 * The window state of `windowAggregate`, without RxJS: open windows per series and size, each
 * host's watermark (`HostWatermarks`), and the closed windows late samples may still correct
 * (`ClosedWindows`). A sample whose window closed already is late: within the correction horizon
 * of its host's newest event it joins that closed window (or starts it, when its host sent nothing
 * for it before), and the window is emitted again at the end of the batch with the larger count,
 * superseding the first; beyond the horizon, or when the window was forgotten, it is counted in
 * `lateUnaggregated` and stays raw only.
 */
export class EventTimeWindows {
  private readonly open = new OpenWindows();
  private readonly closed: ClosedWindows;
  private readonly partitions = new Map<number, PartitionState>();
  /** Per series, the window of each size its last sample went to (found again without a key). */
  private readonly latest = new Map<string, (WindowAccumulator | undefined)[]>();

  constructor(private readonly o: WindowSettings) {
    this.closed = new ClosedWindows(o.maxClosedWindows, (w) => {
      const h = this.hostOf(w);
      if (h && w.end > h.forgottenThrough) h.forgottenThrough = w.end;
    });
  }

  /** Marks a batch of partition `p` seen at `now` (`caughtUp`: it reached the end of the log). */
  seen(topic: string, p: number, caughtUp: boolean, now: number): void {
    const state = this.partitionOf(topic, p, now);
    state.caughtUp = caughtUp;
    state.lastSeen = now;
  }

  known(p: number): boolean {
    return this.partitions.has(p);
  }

  /** Windows a batch's records, pushing what closes (or is corrected) to `out`. */
  add(records: Located<MetricSample>[], now: number, out: MetricAggregate[], stats: Stats): void {
    const sizes = this.o.windowsMs;
    const touched = new Map<HostClock, HostWatermarks>();
    const corrected = new Set<WindowAccumulator>();
    for (const record of records) {
      const { value: s, source: src } = record;
      const state = this.partitionOf(src.topic, src.partition, now);
      const h = state.hosts.getOrAdd(s.host, s.ts, now, (gone) => {
        this.closeHost(gone, Infinity, out);
        stats.windowHostsEvicted++;
      });
      h.lastSeen = now;
      const watermark = state.hosts.watermark(h);
      const series = seriesOf(record);
      let slots = this.latest.get(series);
      let late = false;
      let lost = false;
      for (let i = 0; i < sizes.length; i++) {
        const size = sizes[i]!;
        const start = s.ts - (((s.ts % size) + size) % size);
        let w = slots?.[i];
        if (w?.start !== start) {
          const key = `${size}|${start}|${series}`;
          w = this.open.get(key);
          if (!w && start + size <= watermark) {
            late = true;
            const fixed = this.correction(h, key, record, size, start);
            if (fixed) corrected.add(fixed);
            else lost = true;
            continue;
          }
          if (!w) {
            if (this.open.size >= this.o.maxOpenWindows) {
              this.closeWindow(this.open.oldest()!, out);
              stats.windowsForceClosed++;
              slots = this.latest.get(series); // the evicted window may be one this series was using
            }
            w = this.closed.take(key);
            if (w) w.reopen(src.offset);
            else w = new WindowAccumulator(key, s, size, start, src.partition, src.offset);
            this.open.add(w);
            h.windows.add(w);
          }
          if (!slots)
            this.latest.set(series, (slots = new Array<WindowAccumulator | undefined>(sizes.length)));
          slots[i] = w;
        }
        w.add(s.ts, s.value, src.offset);
      }
      if (late) stats.late++;
      if (lost) stats.lateUnaggregated++;
      if (s.ts > h.maxTs) {
        h.maxTs = s.ts;
        touched.set(h, state.hosts);
      }
      if (s.ts > state.maxTs) state.maxTs = s.ts;
    }
    for (const [h, hosts] of touched) this.closeHost(h, hosts.watermark(h), out);
    for (const w of corrected) {
      out.push(w.close());
      this.closed.add(w);
    }
    stats.windowsCorrected += corrected.size;
    this.closed.prune((w) => {
      const h = this.hostOf(w);
      return !h || w.end <= h.maxTs - this.o.correctionHorizonMs;
    });
  }

  /**
   * The idle rules, at processing time `now`: in a partition caught up with its log and quiet for
   * `idleTimeoutMs`, every host's watermark moves to processing time; in a busy one, a host quiet
   * that long moves to the partition's newest event time, never past processing time. Returns the
   * partitions whose windows closed.
   */
  idle(now: number, holding: boolean, out: MetricAggregate[]): number[] {
    if (holding) return [];
    const moved: number[] = [];
    const lateness = this.o.allowedLatenessMs;
    for (const [p, state] of this.partitions) {
      const partitionIdle = state.caughtUp && now - state.lastSeen >= this.o.idleTimeoutMs;
      const before = out.length;
      for (const h of state.hosts.values()) {
        if (h.windows.size === 0) continue;
        if (partitionIdle) h.forced = Math.max(h.forced, now - lateness);
        else if (now - h.lastSeen >= this.o.idleTimeoutMs)
          h.forced = Math.max(h.forced, Math.min(state.maxTs, now) - lateness);
        else continue;
        this.closeHost(h, state.hosts.watermark(h), out);
      }
      if (out.length > before) moved.push(p);
    }
    return moved;
  }

  /** The lowest offset of partition `p` still feeding an open window. */
  floor(p: number): string | undefined {
    let min: string | undefined;
    for (const h of this.partitions.get(p)?.hosts.values() ?? [])
      for (const w of h.windows) if (min === undefined || offsetBefore(w.minOffset, min)) min = w.minOffset;
    return min;
  }

  /** Drops the state of partitions no longer owned, unpublished (the new owner re-reads them). */
  handOver(owns: (topic: string, p: number) => boolean): void {
    const gone = new Set<number>();
    for (const [p, state] of this.partitions) {
      if (owns(state.topic, p)) continue;
      for (const h of state.hosts.values()) for (const w of h.windows) this.forget(w);
      this.partitions.delete(p);
      gone.add(p);
    }
    if (gone.size > 0) this.closed.dropWhere((w) => gone.has(w.partition));
  }

  private correction(
    h: HostClock,
    key: string,
    record: Located<MetricSample>,
    size: number,
    start: number,
  ): WindowAccumulator | undefined {
    const { value: s, source: src } = record;
    if (start + size <= h.maxTs - this.o.correctionHorizonMs) return undefined;
    let w = this.closed.get(key);
    if (!w) {
      // Nothing closed here: either the host sent nothing for it (an agent replaying its spool),
      // or what it held is unknown to this processor; only the first may start it afresh.
      if (start < h.knownFrom || start + size <= h.forgottenThrough) return undefined;
      w = new WindowAccumulator(key, s, size, start, src.partition, src.offset);
      this.closed.add(w);
    }
    w.add(s.ts, s.value, src.offset);
    return w;
  }

  private closeHost(h: HostClock, watermark: number, out: MetricAggregate[]): void {
    for (const w of h.windows) if (w.end <= watermark) this.closeWindow(w, out);
  }

  private closeWindow(w: WindowAccumulator, out: MetricAggregate[]): void {
    out.push(w.close());
    this.forget(w);
    this.hostOf(w)?.windows.delete(w);
    this.closed.add(w);
  }

  /** Takes `w` out of the open table and its series' shortcut. */
  private forget(w: WindowAccumulator): void {
    this.open.delete(w);
    // The key is `${size}|${start}|${series}`: the series follows the second '|'.
    const series = w.key.slice(w.key.indexOf('|', w.key.indexOf('|') + 1) + 1);
    const slots = this.latest.get(series);
    const i = slots ? slots.indexOf(w) : -1;
    if (i < 0) return;
    slots![i] = undefined;
    if (slots!.every((x) => x === undefined)) this.latest.delete(series);
  }

  private hostOf(w: WindowAccumulator): HostClock | undefined {
    return this.partitions.get(w.partition)?.hosts.get(w.first.host);
  }

  private partitionOf(topic: string, p: number, now: number): PartitionState {
    let state = this.partitions.get(p);
    if (!state)
      this.partitions.set(
        p,
        (state = {
          topic,
          maxTs: -Infinity,
          lastSeen: now,
          caughtUp: false,
          hosts: new HostWatermarks(this.o.maxHostsPerPartition, this.o.allowedLatenessMs),
        }),
      );
    return state;
  }
}
