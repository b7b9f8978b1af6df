import { asyncScheduler, map, OperatorFunction, SchedulerLike } from 'rxjs';
import { DecodeError, errorMessage } from '../../core/errors';
import type { AvroSerde } from '../../core/serde';
import type { Envelope } from '../../core/stream';
import type { KafkaRecord } from '../sources/kafka-record';
import { Batch, emptyStats, Located, reject } from './batch';

/**
 * Decodes each record of a batch with the serde's cached schemas, into its topic's reader schema:
 * a writer schema registered under the topic's subject is resolved to it, any other is refused
 * (`AvroSerde.decodeFrom`), so a decoded value always has the reader's types. A record that does
 * not decode becomes a dead letter carrying its original bytes, its source position and the
 * reason; the rest of the batch goes on. A record standing for a record batch that could not be
 * read (`KafkaRecord.unreadable`) is dead-lettered with why. Pure: the serde must have been
 * `prepare`d for the batch.
 */
export function decode<T>(
  serde: Pick<AvroSerde, 'decodeFrom'>,
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<Envelope<KafkaRecord[]>, Envelope<Batch<T>>> {
  return map((env) => {
    const last = env.payload[env.payload.length - 1];
    const caughtUp = !last?.highWatermark || BigInt(last.offset) + 1n >= BigInt(last.highWatermark);
    const batch: Batch<T> = {
      partition: last?.partition,
      caughtUp,
      records: [],
      rejects: [],
      stats: emptyStats(),
      aggregates: [],
      anomalies: [],
      commitFloor: undefined,
    };
    for (const source of env.payload) {
      if (source.unreadable !== undefined) {
        batch.rejects.push(reject(source, 'TW_ERR_UNREADABLE_BATCH', source.unreadable, scheduler.now()));
        continue;
      }
      try {
        // `series` is set by a later stage: declared here, it takes a slot of the object itself
        // (added later, every record would get a separate property store and a new shape).
        const record: Located<T> = {
          value: serde.decodeFrom<T>(source.topic, source.value),
          source,
          series: undefined,
        };
        batch.records.push(record);
      } catch (err) {
        const code = err instanceof DecodeError ? err.code : 'TW_ERR_AVRO_DECODE';
        batch.rejects.push(reject(source, code, errorMessage(err), scheduler.now()));
      }
    }
    return { payload: batch, ack: env.ack, nack: env.nack };
  });
}
