/**
 * kafkajs 2.2.4's produce request (v3, which v4–v7 extend) hands each record to the record
 * encoder as a copy of its message with two more properties, `{ ...message, offsetDelta,
 * timestampDelta }`. V8 clones such a literal on a slow path: 0.8–3 µs a record measured here,
 * against ~30 ns for the same object written out, and ~30 % of the time a 200-record request
 * took to encode. The processor publishes about one aggregate per sample in a fleet, and the
 * load generator and the agents publish every sample this way. Here is the same request with
 * each record's arguments written out (the only properties the record encoder reads: `key`,
 * `value`, `headers` and the two deltas); the rest is kafkajs's, step for step (timestamps sorted
 * as kafkajs sorts them, its default sort). Same bytes: `produce-request.spec.ts` checks them
 * against a pristine kafkajs. Installed by `produceRequest`, a module swap: kafkajs requires the
 * request at its first send. The record encoder is looked up when a request is encoded, so the
 * `record-encode` patch's encoder is the one it uses. The agent bundle leaves it out (a bundle has
 * no module registry to swap a module in).
 */
import { expectFunction, moduleSwap, type KafkajsPatch } from './kafkajs-patch';

interface Encoder {
  writeString(s: string | null): Encoder;
  writeInt16(n: number): Encoder;
  writeInt32(n: number): Encoder;
  writeArray(items: Encoder[]): Encoder;
  writeEncoder(e: Encoder): Encoder;
}

interface Message {
  key?: unknown;
  value?: unknown;
  headers?: unknown;
  timestamp?: number | string | null;
}

interface PartitionData {
  partition: number;
  firstSequence?: number;
  messages: Message[];
}

interface TopicData {
  topic: string;
  partitions: PartitionData[];
}

interface RequestArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: TopicData[];
}

/* eslint-disable @typescript-eslint/no-require-imports */
const kafkajs = <T>(file: string) => require(`kafkajs/src/${file}`) as T;
const Long = kafkajs<{ fromInt(n: number): unknown }>('utils/long.js');
const EncoderClass = kafkajs<new () => Encoder>('protocol/encoder.js');
const apiKey = kafkajs<{ Produce: number }>('protocol/requests/apiKeys.js').Produce;
const { Types } = kafkajs<{ Types: { None: number } }>('protocol/message/compression/index.js');
const { RecordBatch } = kafkajs<{ RecordBatch(args: object): Promise<Encoder & { size(): number }> }>(
  'protocol/recordBatch/v0/index.js',
);
/** The record encoder as kafkajs's module registry holds it now (`record-encode` swaps it). */
const recordEncoder = () => kafkajs<(args: object) => Encoder>('protocol/recordBatch/record/v0/index.js');
/* eslint-enable @typescript-eslint/no-require-imports */

async function encodePartition(
  compression: number,
  { partition, messages, firstSequence }: PartitionData,
  transactionalId: string | null,
  producerId: unknown,
  producerEpoch: number,
): Promise<Encoder> {
  // kafkajs's own stamp for records without a timestamp: its clock, as in kafkajs.
  // eslint-disable-next-line no-restricted-properties
  const dateNow = Date.now();
  const timestamps: (number | string)[] = [];
  for (const m of messages) if (m.timestamp != null) timestamps.push(m.timestamp);
  timestamps.sort(); // as kafkajs: a default sort, by their text
  if (timestamps.length === 0) timestamps.push(dateNow);
  const firstTimestamp = timestamps[0] as number;
  const maxTimestamp = timestamps[timestamps.length - 1];
  const Record = recordEncoder();
  const records = new Array<Encoder>(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    records[i] = Record({
      key: m.key,
      value: m.value,
      headers: m.headers,
      offsetDelta: i,
      timestampDelta: ((m.timestamp || dateNow) as number) - firstTimestamp,
    });
  }
  const recordBatch = await RecordBatch({
    compression,
    records,
    firstTimestamp,
    maxTimestamp,
    producerId,
    producerEpoch,
    firstSequence,
    transactional: !!transactionalId,
    lastOffsetDelta: records.length - 1,
  });
  return new EncoderClass().writeInt32(partition).writeInt32(recordBatch.size()).writeEncoder(recordBatch);
}

/** kafkajs's produce request v3, each record's arguments written out (see above). */
export function produceRequestV3({
  acks,
  timeout,
  transactionalId = null,
  producerId = Long.fromInt(-1),
  producerEpoch = 0,
  compression = Types.None,
  topicData,
}: RequestArgs) {
  return {
    apiKey,
    apiVersion: 3,
    apiName: 'Produce',
    expectResponse: () => acks !== 0,
    encode: async () => {
      const topics: Encoder[] = [];
      for (const { topic, partitions } of topicData) {
        const encoded: Encoder[] = [];
        for (const data of partitions)
          encoded.push(await encodePartition(compression, data, transactionalId, producerId, producerEpoch));
        topics.push(new EncoderClass().writeString(topic).writeArray(encoded));
      }
      return new EncoderClass()
        .writeString(transactionalId)
        .writeInt16(acks)
        .writeInt32(timeout)
        .writeArray(topics);
    },
  };
}

const swap = moduleSwap(
  'protocol/requests/produce/v3/request.js',
  [4, 5, 6, 7].map((v) => `protocol/requests/produce/v${v}/request.js`),
  produceRequestV3,
  (original) =>
    expectFunction('the produce request', original, 1, ['topicData', 'transactionalId', 'encode']),
);

export const produceRequest: KafkajsPatch = {
  name: 'produce-request',
  sources: {
    'protocol/requests/produce/v3/request.js':
      '993a3db997827088f5acb08cacf3c67a99ec2886303ff465d244329b8a1c7f99',
    // They extend v3's request (v4 and v5 require it, v6 extends v5, v7 v6).
    'protocol/requests/produce/v4/request.js':
      '0dc2643c0e3c51ad60ed645ab017234dde1f3e5676088fe0120f873f8e4c6eb0',
    'protocol/requests/produce/v5/request.js':
      '1d5dab00092a1dbd82c2ce90bc33026cedb0dcd7fe548153fca40d2c059ea203',
    'protocol/requests/produce/v6/request.js':
      'd19ff7d6cdad42cb666028ea5df88b74f714ffdda20126ac3ea70368701728de',
    'protocol/requests/produce/v7/request.js':
      'bc64c2f2d7feb31ae9c2f03b75a5ec5a290eb9084c703648803e5f15ec1a63eb',
  },
  ...swap,
};
