import { asyncScheduler, map, OperatorFunction, SchedulerLike } from 'rxjs';
import { DecodeError, errorMessage } from '../../core/errors';
import type { AvroSerde } from '../../core/serde';
import type { Envelope } from '../../core/stream';
import type { DeadLetter } from '../../schemas';
import type { KafkaRecord } from '../sources/kafka-record';

export interface Decoded<T> {
  records: T[];
  rejects: DeadLetter[];
}

/**
 * Decodes each record of a batch with the serde's cached schemas. A record that does not decode
 * becomes a dead letter carrying its original bytes, its source position and the reason; the
 * rest of the batch goes on. Pure: the serde must have been `prepare`d for the batch.
 */
export function decode<T>(
  serde: Pick<AvroSerde, 'decode'>,
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<Envelope<KafkaRecord[]>, Envelope<Decoded<T>>> {
  return map((env) => {
    const records: T[] = [];
    const rejects: DeadLetter[] = [];
    for (const record of env.payload) {
      try {
        records.push(serde.decode<T>(record.value));
      } catch (err) {
        rejects.push({
          source_topic: record.topic,
          source_partition: record.partition,
          source_offset: record.offset,
          error_code: err instanceof DecodeError ? err.code : 'TW_ERR_AVRO_DECODE',
          reason: errorMessage(err),
          original_key: record.key,
          original_value: record.value,
          ts: scheduler.now(),
        });
      }
    }
    return { payload: { records, rejects }, ack: env.ack, nack: env.nack };
  });
}
