import type { WindowAccumulator } from './window-accumulator';

/** One host's event-time progress within its partition, and its open windows. */
export interface HostClock {
  readonly host: string;
  /** Newest event time seen from this host. */
  maxTs: number;
  /** Processing time of its last sample. */
  lastSeen: number;
  /** `lastSeen` as the last idle check found the host quiet: a second such check finds it idle. */
  quietAt?: number;
  /** Watermark pushed ahead by the idle rules (the host or its partition went quiet). */
  forced: number;
  /** Event times before this were never seen by this processor (it started, or met the host, later). */
  readonly knownFrom: number;
  /** Closed windows of this host ending at or before this were forgotten (the closed-window cap). */
  forgottenThrough: number;
  readonly windows: Set<WindowAccumulator>;
  /**
   * Per window size, the host's window that closed last: while its samples reach past the commit
   * floor, the floor goes back to its start, so whoever re-reads from there sees it whole.
   */
  readonly lastClosed: Map<number, { minOffset: string; maxOffset: string }>;
}

/**
 * The hosts of one partition, each with its own watermark: its newest event time minus the
 * allowed lateness, or what the idle rules pushed it to. One host's fast clock or replay moves only
 * its own windows. At most `max` hosts: a new one past it first evicts the eighth whose newest
 * events are oldest (the caller closes their windows and counts them).
 */
export class HostWatermarks {
  private readonly hosts = new Map<string, HostClock>();

  constructor(
    private readonly max: number,
    private readonly latenessMs: number,
  ) {}

  get size(): number {
    return this.hosts.size;
  }

  get(host: string): HostClock | undefined {
    return this.hosts.get(host);
  }

  values(): IterableIterator<HostClock> {
    return this.hosts.values();
  }

  /** The host's clock, created at its first sample (`ts`); `evicted` gets the hosts it displaced. */
  getOrAdd(host: string, ts: number, now: number, evicted: (h: HostClock) => void): HostClock {
    let h = this.hosts.get(host);
    if (h) return h;
    if (this.hosts.size >= this.max) {
      const oldest = [...this.hosts.values()].sort((a, b) => a.maxTs - b.maxTs);
      for (const gone of oldest.slice(0, Math.max(1, Math.ceil(this.max / 8)))) {
        this.hosts.delete(gone.host);
        evicted(gone);
      }
    }
    h = {
      host,
      maxTs: -Infinity,
      lastSeen: now,
      forced: -Infinity,
      knownFrom: ts - this.latenessMs,
      forgottenThrough: -Infinity,
      windows: new Set(),
      lastClosed: new Map(),
    };
    this.hosts.set(host, h);
    return h;
  }

  /** Windows of `h` ending at or before this are closed. */
  watermark(h: HostClock): number {
    return Math.max(h.maxTs - this.latenessMs, h.forced);
  }
}
