import type { Producer } from 'kafkajs';
import { SinkWriteError, errorMessage } from '../../core/errors';
import type { AvroSerde } from '../../core/serde';
import type { Sink } from '../../core/stream';

export interface KafkaTopicSinkOptions<T> {
  name: string;
  topic: string;
  schemaId: number;
  key: (record: T) => Buffer | string | null;
}

/** Publishes Avro records to one topic; `write` resolves when all in-sync replicas have them. */
export function kafkaTopicSink<T>(
  producer: Producer,
  serde: AvroSerde,
  options: KafkaTopicSinkOptions<T>,
): Sink<T> {
  return {
    name: options.name,
    async write(batch) {
      if (batch.length === 0) return;
      try {
        await producer.send({
          topic: options.topic,
          acks: -1,
          messages: batch.map((r) => ({ key: options.key(r), value: serde.encode(options.schemaId, r) })),
        });
      } catch (err) {
        throw new SinkWriteError(
          `publishing ${batch.length} records to ${options.topic} failed: ${errorMessage(err)}`,
          { cause: err },
        );
      }
    },
    close: async () => undefined,
  };
}
