/** What storage held of one host when the writer first met it (since it took over). */
interface StoredSpan {
  /** Rows of the host at or after this event time were looked up... */
  since: number;
  /** ...and the newest of them is this one (-Infinity: none). */
  newest: number;
}

/** Per host of a chunk, its oldest sample's event time (ms). */
export type OldestByHost = ReadonlyMap<string, number>;

/**
 * Finds the newest stored event time at or after `since` of each host (hosts without such a row
 * are left out).
 */
export type NewestStored = (hosts: string[], since: number) => Promise<Map<string, number>>;

export interface ReplayGuardOptions {
  /** Hosts remembered at most; past it the memory starts over (a new look-up, never a miss). */
  maxHosts: number;
  /** True once after each change of the partitions this member owns (`reassignments`). */
  reassigned?: () => boolean;
  /** Called when the memory starts over because it was full. */
  onReset?: () => void;
  /**
   * Resolves once this writer's own inserts under way have landed: a look-up waits for it, so
   * what the writer stored before, and re-reads now after a group join, is found stored.
   */
  settled?: () => Promise<unknown>;
}

/**
 * Tells whether a chunk of raw samples may hold rows that are already stored, so that its insert
 * must leave those out. A processor re-reads after a crash or a rebalance (from the committed
 * offset, which the open windows' floor holds back) and cuts what it re-reads into other inserts
 * than the first time, so the deduplication token cannot catch them. Whatever was stored before
 * this writer met a host is older than the newest stored event time it then finds for that host;
 * after that, this writer is the host's only writer (its partition is this member's, and dedupe
 * drops repeated ids). So the first chunk of a host looks storage up; a chunk whose samples are
 * all newer than what was found goes as a plain insert, and only one that reaches back into
 * stored time (a replay, or a sample older than the look-up covered) must skip stored ids.
 * Memory: one entry per host, at most `maxHosts`; forgotten on every reassignment.
 * A look-up first waits for this writer's own inserts under way (`settled`): after a join that
 * leaves it its partitions it reads them again from the committed offsets, and the inserts of
 * what it read before may still be landing. Not covered: a raw insert of the partition's previous
 * owner, another process, still under way when this writer looks up (a revoked member stores
 * what it had in flight) may land after the look-up.
 */
export class ReplayGuard {
  private readonly spans = new Map<string, StoredSpan>();

  constructor(
    private readonly newestStored: NewestStored,
    private readonly options: ReplayGuardOptions,
  ) {}

  /** True if some sample of the chunk may already be stored. */
  async mayHoldStored(oldest: OldestByHost): Promise<boolean> {
    if (this.options.reassigned?.()) this.spans.clear();
    const unknown: string[] = [];
    let since = Infinity;
    for (const [host, ts] of oldest) {
      if (this.spans.has(host)) continue;
      unknown.push(host);
      since = Math.min(since, ts);
    }
    if (unknown.length > 0) {
      if (this.spans.size + unknown.length > this.options.maxHosts) {
        this.spans.clear(); // a later look-up finds at least as much: sound, only more work
        this.options.onReset?.();
      }
      await this.options.settled?.();
      const found = await this.newestStored(unknown, since);
      for (const host of unknown) this.spans.set(host, { since, newest: found.get(host) ?? -Infinity });
    }
    for (const [host, ts] of oldest) {
      const span = this.spans.get(host);
      if (!span || ts < span.since || ts <= span.newest) return true;
    }
    return false;
  }
}

/** Where a chunk's samples lie in event time: each host's oldest, and the newest of all (ms). */
export interface SampleSpan {
  readonly oldest: OldestByHost;
  readonly newest: number;
}

/** The span of `samples`. */
export function spanOf(samples: readonly { host: string; ts: number }[]): SampleSpan {
  const oldest = new Map<string, number>();
  let newest = -Infinity;
  for (const s of samples) {
    const seen = oldest.get(s.host);
    if (seen === undefined || s.ts < seen) oldest.set(s.host, s.ts);
    if (s.ts > newest) newest = s.ts;
  }
  return { oldest, newest };
}

/** The span of several chunks together. */
export function joinSpans(spans: readonly SampleSpan[]): SampleSpan {
  if (spans.length === 1) return spans[0]!;
  const oldest = new Map<string, number>();
  let newest = -Infinity;
  for (const span of spans) {
    for (const [host, ts] of span.oldest) {
      const seen = oldest.get(host);
      if (seen === undefined || ts < seen) oldest.set(host, ts);
    }
    newest = Math.max(newest, span.newest);
  }
  return { oldest, newest };
}
