import type { BatchOutcome } from '../processors/delivery';

/**
 * How far the processor is through the N distinct events a bench published, from its batch
 * outcomes. An event is done once it is written or dead-lettered; a duplicate is not progress:
 * it is a record read again (a re-fetch after a rebalance or a session timeout, a re-sent produce)
 * whose id was already seen, so its event is counted where it went the first time. Counting
 * `received` (which includes duplicates) would end the bench before every event is stored: at
 * 10 000 hosts a loaded processor re-read ~390 000 records of 1 000 000 and the bench stopped
 * with 610 199 rows stored.
 */
export class PipelineProgress {
  /** Events written or dead-lettered. */
  done = 0;
  /** Records dropped as already seen (read again). */
  duplicates = 0;
  /** Records the processor delivered in all, duplicates included. */
  received = 0;

  constructor(private readonly events: number) {}

  /** Counts one outcome; true once every event is done. */
  add(outcome: Pick<BatchOutcome, 'received' | 'written' | 'deadLettered'>): boolean {
    this.done += outcome.written + outcome.deadLettered;
    this.duplicates += outcome.received - outcome.written - outcome.deadLettered;
    this.received += outcome.received;
    return this.complete;
  }

  get complete(): boolean {
    return this.done >= this.events;
  }
}
