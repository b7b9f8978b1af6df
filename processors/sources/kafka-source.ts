import type { Batch, Consumer } from 'kafkajs';
import { setImmediate as ioTurn } from 'node:timers/promises';
import { Observable } from 'rxjs';
import { releaseRecords } from '../../core/kafka';
import type { Logger } from '../../core/logger';
import type { Assignment, Envelope, Source } from '../../core/stream';
import { InFlightBudget } from './in-flight-budget';
import type { KafkaRecord } from './kafka-record';
import { PartitionCommits } from './partition-commits';

export interface KafkaSourceOptions {
  topics: string[];
  logger: Logger;
  /** Heartbeat interval while the fetch loop is held. */
  heartbeatMs?: number;
  fromBeginning?: boolean;
  /** Events handed downstream and not yet acknowledged, at most (then the fetch loop holds). */
  maxInFlightEvents?: number;
  /** Bytes (keys + values) handed downstream and not yet acknowledged, at most. */
  maxInFlightBytes?: number;
  /** How long `close` waits for in-flight batches to be acknowledged and committed. */
  drainTimeoutMs?: number;
}

/** The partitions this member owns, and whether it is reading them. */
export interface SourceAssignment extends Assignment {
  /** False while a rebalance is under way (or before the first join) and once the source stops. */
  readonly settled: boolean;
  /** Fetches started so far: the number a batch is marked with when it arrives. */
  readonly fetchesStarted: number;
  /**
   * The number of the latest-started fetch that has completed: once it passes a partition's
   * mark, a fetch begun after that partition's last batch came back (with one broker, proof that
   * nothing newer was waiting; with several, any broker's fetch counts).
   */
  readonly fetchedThrough: number;
}

export interface KafkaSource extends Source<KafkaRecord[]> {
  readonly budget: InFlightBudget;
  /** The partitions this member owns (from the last group join). */
  readonly assignment: SourceAssignment;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Kafka as a Source of batches (one per partition fetch). Batches flow downstream while the
 * in-flight budget allows, so fetching overlaps with writing; past the budget the fetch loop holds
 * (heartbeats go on) until acknowledgements bring usage below the low-water mark, so memory stays
 * bounded however slow the sinks are. Offsets are committed per partition in fetch order, only up
 * to what was acknowledged and never past the floor an ack names, and only for partitions this
 * member owns: after a rebalance the new owner re-reads anything not committed.
 */
export function kafkaSource(consumer: Consumer, options: KafkaSourceOptions): KafkaSource {
  const log = options.logger.child({ component: 'kafka-source' });
  const heartbeatMs = options.heartbeatMs ?? 3000;
  const budget = new InFlightBudget(
    options.maxInFlightEvents ?? 200_000,
    options.maxInFlightBytes ?? 64 * 2 ** 20,
  );
  const commits = new PartitionCommits();
  let owned = new Set<string>();
  /** The same assignment by topic, for `assignment.owns` on the hot path (no key building). */
  let ownedByTopic = new Map<string, Set<number>>();
  let known = false;
  let version = 0;
  const assignment: SourceAssignment = {
    get version() {
      return version;
    },
    get settled() {
      return known && !stopped;
    },
    get fetchesStarted() {
      return fetchesStarted;
    },
    get fetchedThrough() {
      return fetchedThrough;
    },
    owns: (topic, partition) => !known || ownedByTopic.get(topic)?.has(partition) === true,
  };
  let running = false;
  let stopped = false;
  let commitChain: Promise<void> = Promise.resolve();

  let fetchesStarted = 0;
  let fetchedThrough = 0;
  const fetchOf = new Map<number, number>();
  consumer.on(consumer.events.FETCH_START, ({ payload }) => {
    fetchOf.set(payload.nodeId, ++fetchesStarted);
  });
  consumer.on(consumer.events.FETCH, ({ payload }) => {
    fetchedThrough = Math.max(fetchedThrough, fetchOf.get(payload.nodeId) ?? 0);
  });
  consumer.on(consumer.events.REBALANCING, () => {
    owned = new Set();
    known = false;
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    ownedByTopic = new Map(
      Object.entries(payload.memberAssignment).map(([topic, partitions]) => [topic, new Set(partitions)]),
    );
    owned = new Set(
      Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((p) => `${topic}:${p}`),
      ),
    );
    commits.retain(owned);
    known = true;
    version++;
  });

  const commit = (topic: string, partition: number) => {
    const key = `${topic}:${partition}`;
    commitChain = commitChain.then(async () => {
      const position = commits.next(key);
      if (position === undefined || !owned.has(key)) return;
      try {
        await consumer.commitOffsets([{ topic, partition, offset: position.toString() }]);
        commits.markCommitted(key, position);
      } catch (err) {
        log.warn({ err, topic, partition }, 'offset commit failed; the records will be read again');
      }
    });
  };

  /**
   * One fetched batch as an envelope, and the budget's wait for it. Its acknowledgement lives as
   * long as the batch is in flight, so it is made here, away from `eachBatch`'s scope: it holds
   * names and numbers, never kafkajs's batch (whose messages would then outlive the stages).
   */
  const envelope = (batch: Batch, lastOffset: string) => {
    const { topic, partition, highWatermark } = batch;
    let bytes = 0;
    const payload: KafkaRecord[] = batch.messages.map((m) => {
      bytes += (m.key?.length ?? 0) + (m.value?.length ?? 0);
      const unreadable = (m as { unreadable?: string }).unreadable;
      return { topic, partition, offset: m.offset, key: m.key, value: m.value, highWatermark, unreadable };
    });
    const count = payload.length;
    const acknowledge = commits.track(`${topic}:${partition}`, BigInt(lastOffset) + 1n);
    let settled = false;
    let acked = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      budget.release(count, bytes);
      return true;
    };
    const held = budget.acquire(count, bytes);
    const env: Envelope<KafkaRecord[]> = {
      payload,
      // Again after the first: the floor rose (windows closed by the idle timer), so may the commit;
      // not once the source is stopping: its partitions are quiet because it stopped reading, and
      // their windows must be re-read in full by the next owner.
      ack: (floor) => {
        if (!settle() && (!acked || stopped)) return;
        acked = true;
        acknowledge(floor);
        commit(topic, partition);
      },
      nack: (err) => {
        if (settle()) log.error({ err, topic, partition }, 'batch failed; it will be read again');
      },
    };
    return { env, held };
  };

  const batches$ = new Observable<Envelope<KafkaRecord[]>>((subscriber) => {
    const start = async () => {
      await consumer.connect();
      for (const topic of options.topics)
        await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
      running = true;
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
          if (stopped || !isRunning() || isStale() || batch.messages.length === 0) return;
          const lastOffset = batch.lastOffset();
          const { env, held } = envelope(batch, lastOffset);
          resolveOffset(lastOffset);
          // kafkajs would keep them until the fetch's last batch is handled; nothing reads them again.
          releaseRecords(batch);
          subscriber.next(env);
          if (!budget.full) {
            // kafkajs hands over a fetch's batches through promise chains, which would keep I/O
            // callbacks (an insert finishing, its file written) waiting until the next fetch: the
            // writes under way get their turn between batches.
            await ioTurn();
            return;
          }
          const beat = setInterval(
            () => heartbeat().catch((err) => log.warn({ err }, 'heartbeat failed')),
            heartbeatMs,
          );
          try {
            await held;
          } finally {
            clearInterval(beat);
          }
        },
      });
    };
    start().catch((err) => subscriber.error(err));
    return () => {
      stopped = true;
      budget.releaseAll();
    };
  });

  return {
    batches$,
    budget,
    assignment,
    async close() {
      if (!running) return;
      running = false;
      stopped = true;
      const limit = options.drainTimeoutMs ?? 15_000;
      for (let waited = 0; commits.pending > 0 && waited < limit; waited += 20) await sleep(20);
      await commitChain;
      budget.releaseAll();
      await consumer.disconnect();
    },
  };
}
