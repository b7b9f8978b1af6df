import type { Consumer } from 'kafkajs';
import { Observable } from 'rxjs';
import type { Logger } from '../../core/logger';
import type { Envelope, Source } from '../../core/stream';
import type { KafkaRecord } from './kafka-record';

export interface KafkaSourceOptions {
  topics: string[];
  logger: Logger;
  /** Heartbeat interval while a batch waits for its acknowledgement. */
  heartbeatMs?: number;
  fromBeginning?: boolean;
}

/**
 * Kafka as a Source of batches, one per partition fetch. The handler waits for the batch's ack
 * before it commits and takes the next batch, so at most one batch per partition is in flight:
 * a slow sink holds the fetch loop (backpressure) and never lets memory grow. Offsets are
 * committed only after ack, and never past the position the ack names, so a crash re-delivers
 * everything not yet acknowledged or still held by open state. Commits never move backwards.
 */
export function kafkaSource(consumer: Consumer, options: KafkaSourceOptions): Source<KafkaRecord[]> {
  const log = options.logger.child({ component: 'kafka-source' });
  const heartbeatMs = options.heartbeatMs ?? 3000;
  const committed = new Map<string, bigint>();
  let running = false;

  const commit = async (topic: string, partition: number, next: bigint) => {
    const key = `${topic}:${partition}`;
    if (next <= (committed.get(key) ?? -1n)) return;
    await consumer.commitOffsets([{ topic, partition, offset: next.toString() }]);
    committed.set(key, next);
  };

  const batches$ = new Observable<Envelope<KafkaRecord[]>>((subscriber) => {
    let stopped = false;
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
          const payload: KafkaRecord[] = batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key,
            value: m.value,
          }));
          const acked = new Promise<string | undefined>((resolve, reject) =>
            subscriber.next({ payload, ack: resolve, nack: reject }),
          );
          const beat = setInterval(
            () => heartbeat().catch((err) => log.warn({ err }, 'heartbeat failed')),
            heartbeatMs,
          );
          let commitUpTo: string | undefined;
          try {
            commitUpTo = await acked;
          } finally {
            clearInterval(beat);
          }
          if (isStale()) return; // partition revoked meanwhile: its new owner re-reads from the last commit
          resolveOffset(batch.lastOffset());
          const end = BigInt(batch.lastOffset()) + 1n;
          const floor = commitUpTo === undefined ? end : BigInt(commitUpTo);
          await commit(batch.topic, batch.partition, floor < end ? floor : end);
        },
      });
    };
    start().catch((err) => subscriber.error(err));
    return () => {
      stopped = true;
    };
  });

  return {
    batches$,
    async close() {
      if (!running) return;
      running = false;
      await consumer.disconnect();
    },
  };
}
