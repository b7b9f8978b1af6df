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
 * committed only after ack, so a crash re-delivers everything not yet acknowledged.
 */
export function kafkaSource(consumer: Consumer, options: KafkaSourceOptions): Source<KafkaRecord[]> {
  const log = options.logger.child({ component: 'kafka-source' });
  const heartbeatMs = options.heartbeatMs ?? 3000;
  let running = false;

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
          const acked = new Promise<void>((resolve, reject) =>
            subscriber.next({ payload, ack: resolve, nack: reject }),
          );
          const beat = setInterval(
            () => heartbeat().catch((err) => log.warn({ err }, 'heartbeat failed')),
            heartbeatMs,
          );
          try {
            await acked;
          } finally {
            clearInterval(beat);
          }
          if (isStale()) return; // partition revoked meanwhile: its new owner re-reads from the last commit
          resolveOffset(batch.lastOffset());
          const next = (BigInt(batch.lastOffset()) + 1n).toString();
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
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
