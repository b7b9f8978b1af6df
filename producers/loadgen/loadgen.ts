import type { Clock } from '../../core/clock';
import type { Sink } from '../../core/stream';
import type { MetricSample } from '../../schemas';
import { syntheticSamples } from './synthetic-hosts';

export interface LoadgenOptions {
  hosts: number;
  /** Samples per second in all; 0 publishes as fast as the broker takes them. */
  rate: number;
  /** Stop after this many samples (Infinity: until the signal aborts). */
  total: number;
  batchSize?: number;
  publisher: Sink<MetricSample>;
  /** Paces the rate. */
  clock: Clock;
  /** Stamps event times; defaults to `clock` (replays and benchmarks pass a synthetic one). */
  eventClock?: Clock;
  signal?: AbortSignal;
  /** Sees every published batch (e.g. to keep a ledger of ids). */
  onBatch?: (batch: readonly MetricSample[]) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Publishes synthetic host samples at a steady total rate; resolves with the count published. */
export async function runLoadgen(options: LoadgenOptions): Promise<number> {
  const batchSize = options.batchSize ?? 1000;
  const next = syntheticSamples(options.hosts, options.clock());
  const started = options.clock();
  let sent = 0;
  while (sent < options.total && !options.signal?.aborted) {
    const batch = next(Math.min(batchSize, options.total - sent), (options.eventClock ?? options.clock)());
    await options.publisher.write(batch);
    options.onBatch?.(batch);
    sent += batch.length;
    if (options.rate > 0) {
      const due = started + (sent / options.rate) * 1000;
      const wait = due - options.clock();
      if (wait > 0) await sleep(wait);
    }
  }
  return sent;
}
