import { CompressionTypes, type PartitionMetadata, type Producer } from 'kafkajs';
import { SinkWriteError, errorMessage } from '../../core/errors';
import { cachedDefaultPartitioner } from '../../core/kafka/cached-partitioner';
import { groupedLinearly } from '../../core/kafka/partition-grouping';
import { permanentProduceError } from './permanent-produce-error';
import { recordSize, splitRequests, type RequestLimits } from './produce-requests';

export interface OutgoingRecord {
  key: Buffer | string | null;
  value: Buffer | null;
}

/** A record that cannot be written: `over_limit` (alone above the request limit) or the broker's refusal. */
export interface RefusedRecord<M> {
  record: M;
  why: 'over_limit' | string;
  /** The broker's error, for a refusal. */
  error?: unknown;
}

/** kafkajs's default partitioner, each key's answer remembered (bounded), shared by every sink. */
const partition = cachedDefaultPartitioner()();

/** Records by the partition kafkajs's default partitioner gives them among `partitions`, each in order. */
function byPartition<M extends OutgoingRecord>(topic: string, records: readonly M[], partitions: number) {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId): PartitionMetadata => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  const out = new Map<number, M[]>();
  for (const record of records) {
    const p = partition({ topic, partitionMetadata, message: { key: record.key, value: record.value } });
    const list = out.get(p);
    if (list) list.push(record);
    else out.set(p, [record]);
  }
  return out;
}

/**
 * Writes records to a topic in requests under `limits`, gzip-compressed as the agent's are, one
 * request at a time (`acks=-1`); with the partition count known, each request holds one
 * partition's records (placed as kafkajs's default partitioner would), in order. A request the
 * broker refuses for its records (`permanentProduceError`) is halved and each half sent again,
 * down to the single record it refuses. Resolves with the records that cannot be written, for the
 * caller to dead-letter; any other failure is a retriable `SinkWriteError` (the caller sends the
 * batch again: at least once).
 *
 * One partition per request matters beyond the limit: kafkajs fails a whole request when one of
 * its partitions is refused and rolls back the idempotent sequence numbers of all of them, also
 * of those the broker took, whose next batch it then refuses as out of order, for good.
 */
export async function boundedProduce<M extends OutgoingRecord>(
  producer: Producer,
  topic: string,
  records: readonly M[],
  limits: RequestLimits,
): Promise<RefusedRecord<M>[]> {
  const refused: RefusedRecord<M>[] = [];
  const send = async (request: readonly M[], partition: number | undefined): Promise<void> => {
    try {
      await producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.GZIP,
        messages: groupedLinearly(request.map((m) => ({ key: m.key, value: m.value, partition }))),
      });
    } catch (err) {
      const why = permanentProduceError(err);
      if (why === undefined) {
        throw new SinkWriteError(
          `publishing ${request.length} records to ${topic} failed: ${errorMessage(err)}`,
          {
            cause: err,
          },
        );
      }
      const [only] = request;
      if (request.length === 1 && only !== undefined) {
        refused.push({ record: only, why, error: err });
        return;
      }
      const half = request.length >> 1;
      await send(request.slice(0, half), partition);
      await send(request.slice(half), partition);
    }
  };
  const groups: [number | undefined, readonly M[]][] = limits.partitions
    ? [...byPartition(topic, records, limits.partitions)]
    : [[undefined, records]];
  for (const [partition, group] of groups) {
    const { requests, oversized } = splitRequests(group, (m) => recordSize(m.key, m.value), limits);
    for (const record of oversized) refused.push({ record, why: 'over_limit' });
    for (const request of requests) await send(request, partition);
  }
  return refused;
}
