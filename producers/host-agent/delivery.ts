import { systemClock, type Clock } from '../../core/clock';
import { errorMessage } from '../../core/errors';
import type { Spool } from './spool/spool';
import type { Outgoing } from './spool/outgoing';

export interface DeliveryOptions {
  send(batch: readonly Outgoing[]): Promise<void>;
  spool: Spool;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Records per drain request. */
  drainBatchRecords: number;
  /** Drain pace limit in records per second (0: as fast as Kafka takes them). */
  drainRecordsPerSec: number;
  random?: () => number;
  clock?: Clock;
  onSent?(records: number): void;
  onError?(err: unknown): void;
}

export interface DeliveryStatus {
  link: 'up' | 'down';
  sent: number;
  spooled: number;
  lastError?: string;
}

/**
 * Gets records to Kafka, never holding one only in memory. Every batch is appended to the spool
 * first (a write-ahead log: a killed agent loses nothing it emitted, a power cut at most the fsync
 * interval). While the link is up the batch is also sent straight away, one at a time, and the
 * drain loop skips it once Kafka acknowledged it. Batches that arrive while Kafka is down, or while
 * the previous direct send is in flight, or whose direct send failed, wait in the spool: the drain
 * loop sends it oldest first, backing off exponentially with full jitter after a failure, while new
 * batches go straight out again as soon as the link is up. A batch sent directly and then again
 * from the spool after a crash keeps its event ids, so downstream de-duplication hides it.
 */
export class Delivery {
  readonly status: DeliveryStatus = { link: 'up', sent: 0, spooled: 0 };
  private direct: Promise<void> | undefined;
  private stopped = false;
  /** Ends the current pause: on stop, and on a new spooled batch when the drainer idles. */
  private wake: (() => void) | undefined;
  private idle = false;
  private drainer: Promise<void> | undefined;
  private attempt = 0;
  private readonly random: () => number;
  private readonly clock: Clock;

  constructor(private readonly o: DeliveryOptions) {
    this.random = o.random ?? Math.random;
    this.clock = o.clock ?? systemClock;
  }

  start(): void {
    this.drainer ??= this.drainLoop();
  }

  deliver(batch: readonly Outgoing[]): void {
    if (batch.length === 0) return;
    const direct = this.status.link === 'up' && !this.direct && !this.stopped;
    const position = this.o.spool.append(batch, { held: direct });
    if (!direct || !position) {
      this.status.spooled += batch.length;
      if (this.idle) this.wake?.();
      return;
    }
    this.direct = this.o
      .send(batch)
      .then(
        () => {
          this.o.spool.settle(position, true);
          this.delivered(batch.length);
        },
        (err) => {
          this.o.spool.settle(position, false);
          this.status.spooled += batch.length;
          this.failed(err);
        },
      )
      .finally(() => {
        this.direct = undefined;
        // Let the drain loop move past the delivered batch, or send the failed one.
        if (this.idle) this.wake?.();
      });
  }

  /** Stops draining and waits for the sends in flight; what is left stays in the spool for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.direct;
    await this.drainer;
  }

  private delivered(records: number): void {
    this.status.link = 'up';
    this.status.sent += records;
    this.attempt = 0;
    this.o.onSent?.(records);
  }

  private failed(err: unknown): void {
    this.status.link = 'down';
    this.status.lastError = errorMessage(err);
    this.o.onError?.(err);
  }

  private async drainLoop(): Promise<void> {
    while (!this.stopped) {
      const read = this.o.spool.read(this.o.drainBatchRecords);
      if (!read) {
        this.idle = true;
        await this.pause(60_000);
        this.idle = false;
        continue;
      }
      const started = this.clock();
      try {
        await this.o.send(read.batch);
        this.o.spool.ack(read);
        this.delivered(read.batch.length);
        if (this.o.drainRecordsPerSec > 0) {
          await this.pause((read.batch.length / this.o.drainRecordsPerSec) * 1000 - (this.clock() - started));
        }
      } catch (err) {
        this.o.spool.nack(read);
        this.failed(err);
        const ceiling = Math.min(this.o.maxBackoffMs, this.o.initialBackoffMs * 2 ** this.attempt);
        this.attempt = Math.min(this.attempt + 1, 30);
        await this.pause(this.random() * ceiling);
      }
    }
  }

  /** Sleeps up to `ms`, or until delivery stops (or, when idle, until a batch is spooled). */
  private pause(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
