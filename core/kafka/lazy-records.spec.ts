import {
  decodeMessagesLazily,
  kafkajsDecodeMessages,
  LazyRecords,
  readLazily,
  releaseRecords,
} from './lazy-records';

/* eslint-disable @typescript-eslint/no-require-imports */
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: object) => unknown;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (b: object) => Promise<{ buffer: Buffer }>;
};
const Batch = require('kafkajs/src/consumer/batch.js') as new (
  topic: string,
  fetchedOffset: string,
  partitionData: object,
) => Record<string, unknown> &
  Record<'firstOffset' | 'lastOffset' | 'offsetLag', () => string | null> &
  Record<'isEmpty' | 'isEmptyDueToFiltering', () => boolean>;
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: bigint): unknown };
const { Types } = require('kafkajs/src/protocol/message/compression/index.js') as {
  Types: { None: number; GZIP: number };
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** One record batch of `count` records from `firstOffset`, as kafkajs encodes it. */
async function recordBatch(firstOffset: number, count: number, compression: number): Promise<Buffer> {
  const records = Array.from({ length: count }, (_, i) =>
    Record({
      offsetDelta: i,
      timestampDelta: Long.fromValue(BigInt(i * 3)),
      key: i % 3 ? Buffer.from(`host-${i % 7}`) : null,
      value: Buffer.from(`value ${firstOffset + i}`),
      headers: i % 5 ? undefined : { h: `v${i}` },
    }),
  );
  const batch = await RecordBatch({
    compression,
    firstOffset: Long.fromValue(BigInt(firstOffset)),
    firstTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_999,
    records,
  });
  return batch.buffer;
}

/** A partition's record set as a fetch response carries it: its size, its batches, maybe a cut tail. */
async function recordSet(compression: number, cutTail: boolean): Promise<Buffer> {
  const batches = [
    await recordBatch(100, 40, compression),
    await recordBatch(140, 25, compression),
    await recordBatch(165, 30, Types.None),
  ];
  if (cutTail) {
    const next = await recordBatch(195, 20, compression);
    batches.push(next.subarray(0, next.length - 30));
  }
  const body = Buffer.concat(batches);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

const decodeWith = (decode: (d: unknown) => Promise<unknown>, bytes: Buffer) => decode(new Decoder(bytes));
const records = (lazy: unknown) => (lazy as LazyRecords).records();

describe('fetched records decoded when first read', () => {
  it.each([
    ['uncompressed', Types.None, false],
    ['gzip', Types.GZIP, false],
    ['a cut tail', Types.None, true],
  ])('gives the records kafkajs gives (%s)', async (_name, compression, cutTail) => {
    const bytes = await recordSet(compression, cutTail);
    const lazy = await decodeWith(decodeMessagesLazily as (d: unknown) => Promise<unknown>, bytes);
    const theirs = await decodeWith(kafkajsDecodeMessages, bytes);
    expect(lazy).toBeInstanceOf(LazyRecords);
    expect(records(lazy)).toHaveLength(95);
    expect(records(lazy)).toEqual(theirs);
  });

  it('decodes on first read, keeps the records until released, then decodes them again', () => {
    const decode = jest.fn(() => [{ offset: '1' }, { offset: '2' }, { offset: '3' }]);
    const lazy = LazyRecords.of(decode);
    const odd = lazy.filter((r: { offset: string }) => Number(r.offset) % 2 === 1);
    expect(decode).not.toHaveBeenCalled();
    const first = odd.records();
    expect(first).toEqual([{ offset: '1' }, { offset: '3' }]);
    expect(odd.records()).toBe(first);
    expect(decode).toHaveBeenCalledTimes(1);
    odd.release();
    expect(odd.records()).not.toBe(first);
    expect(odd.records()).toEqual(first);
    expect(decode).toHaveBeenCalledTimes(2);
  });

  it("makes kafkajs's Batch behave as over decoded records", async () => {
    const bytes = await recordSet(Types.GZIP, true);
    for (const fetchedOffset of ['100', '151', '194', '400']) {
      const partition = (messages: unknown) => ({
        partition: 2,
        highWatermark: '195',
        abortedTransactions: [],
        messages,
      });
      const eager = new Batch('t', fetchedOffset, partition(await decodeWith(kafkajsDecodeMessages, bytes)));
      const lazy = new Batch(
        't',
        fetchedOffset,
        partition(await decodeWith(decodeMessagesLazily as (d: unknown) => Promise<unknown>, bytes)),
      );
      readLazily(lazy);
      expect(Object.getOwnPropertyDescriptor(lazy, 'messages')?.get).toBeDefined(); // read on first use
      for (const field of ['rawMessages', 'messagesWithinOffset', 'messages'])
        expect(lazy[field]).toEqual(eager[field]);
      for (const method of [
        'firstOffset',
        'lastOffset',
        'offsetLag',
        'isEmpty',
        'isEmptyDueToFiltering',
      ] as const)
        expect(lazy[method]()).toEqual(eager[method]());
      const messages = lazy.messages;
      releaseRecords(lazy);
      expect(lazy.messages).not.toBe(messages);
      expect(lazy.messages).toEqual(eager.messages);
    }
  });

  it('leaves batches over decoded records alone', () => {
    const batch = new Batch('t', '0', { partition: 0, highWatermark: '1', messages: [{ offset: '0' }] });
    const messages = batch.messages;
    readLazily(batch);
    releaseRecords(batch);
    expect(batch.messages).toBe(messages);
  });

  it('is what kafkajs decodes fetch responses with', () => {
    expect(require('kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js')).toBe(decodeMessagesLazily); // eslint-disable-line @typescript-eslint/no-require-imports
  });
});
