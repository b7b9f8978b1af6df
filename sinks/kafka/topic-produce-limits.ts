import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { SinkWriteError, errorMessage } from '../../core/errors';
import { BATCH_OVERHEAD, type RequestLimits } from './produce-requests';

/** Kafka's default `message.max.bytes` (1 MiB + 12), what a topic accepts unless told otherwise. */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/** Records per produce request, whatever their size (bounds the work one request holds up). */
export const MAX_RECORDS_PER_REQUEST = 10_000;

/**
 * The request limits under a topic's `max.message.bytes` (the largest record batch it accepts,
 * after compression): a sixteenth of it, at least 1 KiB plus a batch header, is left as headroom
 * (a request's records are measured uncompressed, and gzip may add a few bytes to records it
 * cannot shrink).
 */
export function requestLimits(
  maxMessageBytes: number,
  partitions?: number,
  maxRecords = MAX_RECORDS_PER_REQUEST,
): RequestLimits {
  const headroom = Math.max(BATCH_OVERHEAD + 1024, Math.floor(maxMessageBytes / 16));
  return { maxBytes: Math.max(1, maxMessageBytes - headroom), maxRecords, partitions };
}

/**
 * Reads a topic's effective `max.message.bytes` once (the topic's own setting, else the broker's
 * `message.max.bytes`, which describeConfigs reports as its default) and its partition count, and
 * gives the request limits under them. A failed look-up (broker away) is a retriable write error
 * and is tried again on the next write; a successful one is kept (partitions added later are
 * not written to by this process until it restarts).
 */
export function topicProduceLimits(kafka: Kafka, topic: string): () => Promise<RequestLimits> {
  let known: Promise<RequestLimits> | undefined;
  const read = async (): Promise<RequestLimits> => {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
      });
      const entry = described.resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes');
      const bytes = Number(entry?.configValue ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = metadata.topics[0]?.partitions.length;
      return requestLimits(
        Number.isFinite(bytes) && bytes > 0 ? bytes : KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
        partitions && partitions > 0 ? partitions : undefined,
      );
    } catch (err) {
      throw new SinkWriteError(`reading max.message.bytes of ${topic} failed: ${errorMessage(err)}`, {
        cause: err,
      });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
  return () => {
    known ??= read().catch((err) => {
      known = undefined;
      throw err;
    });
    return known;
  };
}

/** Limits as given to a sink: fixed, or read from the cluster (`topicProduceLimits`). */
export type LimitsSource = RequestLimits | (() => Promise<RequestLimits>);

/** The limits now: given ones, read ones, or those under Kafka's default when none are given. */
export async function currentLimits(source: LimitsSource | undefined): Promise<RequestLimits> {
  if (source === undefined) return requestLimits(KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
  return typeof source === 'function' ? source() : source;
}
