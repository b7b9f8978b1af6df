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
  /** `lastSeen` as the last idle check found it quiet: a second such check finds it idle. */
  quietAt?: number;
  /** The source's fetches started when its last batch arrived. */
  fetchMark: number;
  hosts: HostWatermarks;
}

type Stats = Pick<
  BatchStats,
  'late' | 'lateUnaggregated' | 'windowsCorrected' | 'windowsForceClosed' | 'windowHostsEvicted'
>;

/** The series' names held by one of its open windows, for a new window to share. */
function identityIn(slots: (WindowAccumulator | undefined)[] | undefined) {
  if (slots) for (const w of slots) if (w) return w.first;
  return undefined;
}

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

  /**
   * Marks a batch of partition `p` seen at `now` (`caughtUp`: it reached the end of the log), with
   * the source's count of fetches started (`fetchMark`, see `idle`).
   */
  seen(topic: string, p: number, caughtUp: boolean, now: number, fetchMark = 0): void {
    const state = this.partitionOf(topic, p, now);
    state.caughtUp = caughtUp;
    state.lastSeen = now;
    state.fetchMark = fetchMark;
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
            else
              w = new WindowAccumulator(key, identityIn(slots) ?? s, size, start, src.partition, src.offset);
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
   * that long moves to the partition's newest event time, never past processing time. Either
   * must be found quiet by two checks in a row with no sample between: records that arrived while
   * the process stood still (a stalled event loop runs its timers before the waiting I/O) are
   * read before anything closes. A caught-up partition is quiet only once the source's fetches
   * (`fetchedThrough`, the latest-started one that came back) passed the mark of its last batch:
   * a fetch begun after it found nothing new. Returns the partitions whose windows closed.
   */
  idle(now: number, holding: boolean, out: MetricAggregate[], fetchedThrough = Infinity): number[] {
    if (holding) return [];
    const moved: number[] = [];
    const lateness = this.o.allowedLatenessMs;
    for (const [p, state] of this.partitions) {
      const partitionQuiet =
        state.caughtUp && now - state.lastSeen >= this.o.idleTimeoutMs && fetchedThrough > state.fetchMark;
      const partitionIdle = partitionQuiet && state.quietAt === state.lastSeen;
      state.quietAt = partitionQuiet ? state.lastSeen : undefined;
      const before = out.length;
      for (const h of state.hosts.values()) {
        if (h.windows.size === 0) continue;
        const hostQuiet = !partitionQuiet && now - h.lastSeen >= this.o.idleTimeoutMs;
        const hostIdle = hostQuiet && h.quietAt === h.lastSeen;
        h.quietAt = hostQuiet ? h.lastSeen : undefined;
        if (partitionIdle) h.forced = Math.max(h.forced, now - lateness);
        else if (hostIdle) h.forced = Math.max(h.forced, Math.min(state.maxTs, now) - lateness);
        else continue;
        this.closeHost(h, state.hosts.watermark(h), out);
      }
      if (out.length > before) moved.push(p);
    }
    return moved;
  }

  /**
   * The lowest offset of partition `p` still feeding an open window, lowered to the start of any
   * host's last closed window whose samples (until it closed) reach past it: whoever re-reads from the floor (this
   * member after a crash, the next owner after a rebalance) sees every window it meets whole.
   */
  floor(p: number): string | undefined {
    const hosts = this.partitions.get(p)?.hosts;
    let min: string | undefined;
    for (const h of hosts?.values() ?? [])
      for (const w of h.windows) if (min === undefined || offsetBefore(w.minOffset, min)) min = w.minOffset;
    for (let lowered = min !== undefined; lowered;) {
      lowered = false;
      for (const h of hosts!.values())
        for (const w of h.lastClosed.values())
          if (offsetBefore(w.minOffset, min!) && !offsetBefore(w.maxOffset, min!)) {
            min = w.minOffset;
            lowered = true;
          }
    }
    return min;
  }

  /**
   * Quiet is counted from `now` again, and no partition is caught up until a batch says so: this
   * member did not read while its group rebalanced, and reads its partitions again from their
   * committed offsets.
   */
  resume(now: number): void {
    for (const state of this.partitions.values()) {
      state.caughtUp = false;
      state.lastSeen = now;
      for (const h of state.hosts.values()) h.lastSeen = now;
    }
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
    const h = this.hostOf(w);
    h?.windows.delete(w);
    h?.lastClosed.set(w.windowMs, { minOffset: w.minOffset, maxOffset: w.maxOffset });
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
          fetchMark: 0,
          hosts: new HostWatermarks(this.o.maxHostsPerPartition, this.o.allowedLatenessMs),
        }),
      );
    return state;
  }
}
