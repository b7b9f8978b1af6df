import type { Collected, Collector } from './collectors/collector';
import type { Measurement } from './measurement';
import type { ProcessRecord } from './process-table';

export type CollectorFailure = 'error' | 'timeout' | 'busy';

export interface CollectionOptions {
  collectors: readonly Collector[];
  /** A collector that has not answered by then is skipped for this round (and counted). */
  timeoutMs: number;
  onFailure(collector: string, reason: CollectorFailure, err?: unknown): void;
}

export interface Round {
  samples: Measurement[];
  processes: ProcessRecord[];
}

/**
 * Runs the collectors that are due, each on its own cadence and under a timeout. One that throws or
 * hangs is counted and skipped while the others go on; a hung one is not started again until its
 * previous run has settled, so a stuck mount or a slow /proc never piles up work.
 */
export class Collection {
  private readonly due = new Map<string, number>();
  private readonly busy = new Set<string>();
  /** Half the shortest cadence: a timer that fires a little early still runs what is due. */
  private readonly slack: number;

  constructor(private readonly o: CollectionOptions) {
    this.slack = Math.min(...o.collectors.map((c) => c.everyMs)) / 2;
  }

  async run(nowMs: number): Promise<Round> {
    const running = this.o.collectors
      .filter((c) => {
        if ((this.due.get(c.name) ?? 0) > nowMs + this.slack) return false;
        this.due.set(c.name, nowMs + c.everyMs);
        if (this.busy.has(c.name)) {
          this.o.onFailure(c.name, 'busy');
          return false;
        }
        return true;
      })
      .map((c) => this.runOne(c, nowMs));
    const round: Round = { samples: [], processes: [] };
    for (const collected of await Promise.all(running)) {
      if (!collected) continue;
      round.samples.push(...collected.samples);
      if (collected.processes) round.processes.push(...collected.processes);
    }
    return round;
  }

  private async runOne(c: Collector, nowMs: number): Promise<Collected | undefined> {
    this.busy.add(c.name);
    const abandoned = new AbortController();
    const run = c.collect(nowMs, abandoned.signal).finally(() => this.busy.delete(c.name));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        abandoned.abort();
        resolve('timeout');
      }, this.o.timeoutMs);
    });
    try {
      const result = await Promise.race([run, timeout]);
      if (result === 'timeout') {
        run.catch(() => undefined);
        this.o.onFailure(c.name, 'timeout');
        return undefined;
      }
      return result;
    } catch (err) {
      this.o.onFailure(c.name, 'error', err);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
