import type { Producer } from 'kafkajs';
import { errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import type { AvroSerde } from '../../core/serde';
import type { Sink } from '../../core/stream';
import type { DeadLetter } from '../../schemas';
import { boundedProduce } from './bounded-produce';
import { fitDeadLetter } from './fit-dead-letter';
import { recordSize } from './produce-requests';
import { recordRefusal } from './record-refusal';
import { currentLimits, type LimitsSource } from './topic-produce-limits';

export interface DeadLetterTopicSinkOptions {
  name: string;
  topic: string;
  schemaId: number;
  /** What one request may carry (`topicProduceLimits` reads it from the cluster); default: under 1 MiB. */
  limits?: LimitsSource;
  metrics?: Pick<PipelineMetrics, 'eventsDropped' | 'deadLettersTruncated'>;
  logger?: Logger;
}

/**
 * The dead-letter topic: dead letters, keyed by their original key, in bounded gzip requests
 * (`boundedProduce`). There is nowhere further to send one that does not fit, so a dead letter
 * larger than a request may carry is cut (`fitDeadLetter`: source topic, partition, offset and
 * error kept) and counted in `deadLettersTruncated`; one that still cannot be written (cannot
 * be encoded, or refused by the broker for good) is counted in `eventsDropped` as
 * `TW_ERR_DEAD_LETTER_LOST` and logged with its metadata. Retriable failures fail the write.
 */
export function deadLetterTopicSink(
  producer: Producer,
  serde: AvroSerde,
  options: DeadLetterTopicSinkOptions,
): Sink<DeadLetter> {
  const encode = (letter: DeadLetter) => serde.encode(options.schemaId, letter);
  const size = (letter: DeadLetter) => recordSize(letter.original_key, encode(letter));
  const where = (l: DeadLetter) => ({
    source_topic: l.source_topic,
    source_partition: l.source_partition,
    source_offset: l.source_offset,
    error_code: l.error_code,
  });
  return {
    name: options.name,
    async write(batch) {
      if (batch.length === 0) return;
      const limits = await currentLimits(options.limits);
      const outgoing: { key: Buffer | null; value: Buffer; record: DeadLetter }[] = [];
      const lost: { letter: DeadLetter; reason: string }[] = [];
      let cut = 0;
      for (const original of batch) {
        let letter = original;
        try {
          let value = encode(letter);
          if (recordSize(letter.original_key, value) > limits.maxBytes) {
            const fitted = fitDeadLetter(letter, size, limits.maxBytes);
            if (fitted === undefined) {
              lost.push({
                letter,
                reason: `does not fit ${limits.maxBytes} bytes even without its original record`,
              });
              continue;
            }
            letter = fitted;
            value = encode(letter);
            cut++;
          }
          outgoing.push({ key: letter.original_key, value, record: letter });
        } catch (err) {
          lost.push({ letter, reason: `not valid Avro for the dead-letter schema: ${errorMessage(err)}` });
        }
      }
      const refused = await boundedProduce(producer, options.topic, outgoing, limits);
      for (const r of refused) {
        lost.push({
          letter: r.record.record,
          reason: recordRefusal(options.topic, r, limits.maxBytes).reason,
        });
      }
      if (cut > 0) {
        options.metrics?.deadLettersTruncated.inc(cut);
        options.logger?.warn(
          { sink: options.name, count: cut },
          'dead letters cut to fit the dead-letter topic',
        );
      }
      if (lost.length > 0) {
        options.metrics?.eventsDropped.inc({ reason: 'TW_ERR_DEAD_LETTER_LOST' }, lost.length);
        for (const { letter, reason } of lost.slice(0, 10)) {
          options.logger?.error({ sink: options.name, ...where(letter), reason }, 'dead letter lost');
        }
      }
    },
    close: async () => undefined,
  };
}
