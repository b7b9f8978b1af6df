import type { Producer } from 'kafkajs';
import { systemClock, type Clock } from '../../core/clock';
import { SinkWriteError, errorMessage, type ErrorCode } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import type { AvroSerde } from '../../core/serde';
import type { Sink } from '../../core/stream';
import type { DeadLetter } from '../../schemas';
import { boundedProduce } from './bounded-produce';
import { derivedDeadLetter } from './derived-dead-letter';
import { recordRefusal } from './record-refusal';
import { currentLimits, type LimitsSource } from './topic-produce-limits';

export interface KafkaTopicSinkOptions<T> {
  name: string;
  topic: string;
  schemaId: number;
  key: (record: T) => Buffer | string | null;
  /** What one request may carry (`topicProduceLimits` reads it from the cluster); default: under 1 MiB. */
  limits?: LimitsSource;
  /**
   * Where records that can never be written go (one that fails Avro encoding, is larger than
   * the topic accepts, or that the broker refuses for good), counted in `eventsDropped` by code.
   * Unset: after the rest is written, the write fails with a permanent (non-retriable) error.
   */
  deadLetters?: Sink<DeadLetter>;
  metrics?: Pick<PipelineMetrics, 'eventsDropped'>;
  logger?: Logger;
  /** Dead letters' time. */
  clock?: Clock;
}

interface Outgoing<T> {
  key: Buffer | string | null;
  value: Buffer | null;
  record: T;
}

interface Rejected<T> extends Outgoing<T> {
  code: ErrorCode;
  reason: string;
}

/**
 * Publishes Avro records to one topic; `write` resolves when all in-sync replicas have them.
 * Records go in gzip-compressed requests under the topic's limits (`boundedProduce`); a record
 * that can never be written is dead-lettered and counted, and the rest still land. Failures
 * worth retrying (broker away, timeouts) fail the write with a retriable error.
 */
export function kafkaTopicSink<T>(
  producer: Producer,
  serde: AvroSerde,
  options: KafkaTopicSinkOptions<T>,
): Sink<T> {
  const clock = options.clock ?? systemClock;
  const deadLetter = async (rejected: Rejected<T>[]) => {
    const reason = rejected[0]?.reason;
    const codes: Record<string, number> = {};
    for (const r of rejected) codes[r.code] = (codes[r.code] ?? 0) + 1;
    options.logger?.warn(
      { sink: options.name, topic: options.topic, codes, reason },
      'records could not be published; dead-lettered',
    );
    if (!options.deadLetters) {
      throw new SinkWriteError(
        `${rejected.length} of the records for ${options.topic} can never be written: ${reason}`,
        { retriable: false },
      );
    }
    const now = clock();
    await options.deadLetters.write(
      rejected.map((r) => derivedDeadLetter({ ...r, topic: options.topic, now })),
    );
    for (const [reason, n] of Object.entries(codes)) options.metrics?.eventsDropped.inc({ reason }, n);
  };
  return {
    name: options.name,
    async write(batch) {
      if (batch.length === 0) return;
      const limits = await currentLimits(options.limits);
      const outgoing: Outgoing<T>[] = [];
      const rejected: Rejected<T>[] = [];
      for (const record of batch) {
        let key: Buffer | string | null = null;
        try {
          key = options.key(record);
          outgoing.push({ key, value: serde.encode(options.schemaId, record), record });
        } catch (err) {
          const reason = `not valid Avro for schema ${options.schemaId} of ${options.topic}: ${errorMessage(err)}`;
          rejected.push({ key, value: null, record, code: 'TW_ERR_AVRO_ENCODE', reason });
        }
      }
      const refused = await boundedProduce(producer, options.topic, outgoing, limits);
      for (const r of refused)
        rejected.push({ ...r.record, ...recordRefusal(options.topic, r, limits.maxBytes) });
      if (rejected.length > 0) await deadLetter(rejected);
    },
    close: async () => undefined,
  };
}
