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
  /** Samples per batch at most (at a rate: the catch-up after a slow send). */
  batchSize?: number;
  /**
   * At a rate: a batch goes out once this long's worth of samples has come due (default 10 ms),
   * so samples leave spread over the second in small batches, each stamped as it is made.
   */
  tickMs?: number;
  publisher: Sink<MetricSample>;
  /** Paces the rate. */
  clock: Clock;
  /** Stamps event times; defaults to `clock` (replays and benchmarks pass a synthetic one). */
  eventClock?: Clock;
  /** Waits between batches (tests pass one that moves their clock). */
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
  /** Sees every published batch (e.g. to keep a ledger of ids). */
  onBatch?: (batch: readonly MetricSample[]) => void;
}

const timer = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Publishes synthetic host samples at a steady total rate; resolves with the count published.
 * At a rate, each batch holds what has come due since the last one (as an agent sends what it
 * has just collected): small batches while sends keep up, larger ones (up to `batchSize`) to
 * catch up after a slow send, so the rate holds and no sample waits stamped for a later send.
 */
export async function runLoadgen(options: LoadgenOptions): Promise<number> {
  const batchSize = options.batchSize ?? 1000;
  const sleep = options.sleep ?? timer;
  const stamp = options.eventClock ?? options.clock;
  const next = syntheticSamples(options.hosts, options.clock());
  const started = options.clock();
  /** Samples a batch waits for at a rate: a tick's worth, at least one. */
  const perTick = Math.max(1, Math.round((options.rate * (options.tickMs ?? 10)) / 1000));
  let sent = 0;
  while (sent < options.total && !options.signal?.aborted) {
    let size = Math.min(batchSize, options.total - sent);
    if (options.rate > 0) {
      const due = Math.floor(((options.clock() - started) * options.rate) / 1000) - sent;
      if (due < Math.min(perTick, size)) {
        await sleep(
          Math.max(1, started + ((sent + Math.min(perTick, size)) / options.rate) * 1000 - options.clock()),
        );
        continue;
      }
      size = Math.min(size, due);
    }
    const batch = next(size, stamp());
    await options.publisher.write(batch);
    options.onBatch?.(batch);
    sent += batch.length;
  }
  return sent;
}
