import { decodeMessagesLazily, LazyRecords, lazyRecords, readLazily, releaseRecords } from './lazy-records';
import { installKafkajsPatches } from './patches';

type BatchClass = new (
  topic: string,
  fetchedOffset: string,
  partitionData: object,
) => Record<string, unknown> &
  Record<'firstOffset' | 'lastOffset' | 'offsetLag', () => string | null> &
  Record<'isEmpty' | 'isEmptyDueToFiltering', () => boolean>;
interface Kafkajs {
  Decoder: new (buffer: Buffer) => unknown;
  Batch: BatchClass;
  decodeMessages: (d: unknown) => Promise<unknown>;
}
/* eslint-disable @typescript-eslint/no-require-imports */
const load = (): Kafkajs => ({
  Decoder: require('kafkajs/src/protocol/decoder.js'),
  Batch: require('kafkajs/src/consumer/batch.js'),
  decodeMessages: require('kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js'),
});
/** kafkajs in a module registry of its own, where no patch is installed: the oracle (and the encoder of inputs). */
let pristine!: Kafkajs & {
  Record: (r: object) => unknown;
  RecordBatch: (b: object) => Promise<{ buffer: Buffer }>;
  Long: { fromValue(v: bigint): unknown };
};
jest.isolateModules(() => {
  pristine = {
    ...load(),
    Record: require('kafkajs/src/protocol/recordBatch/record/v0/index.js'),
    RecordBatch: require('kafkajs/src/protocol/recordBatch/v0/index.js').RecordBatch,
    Long: require('kafkajs/src/utils/long.js'),
  };
});
installKafkajsPatches();
const patched = load();
const { Types } = require('kafkajs/src/protocol/message/compression/index.js') as {
  Types: { None: number; GZIP: number };
};
/* eslint-enable @typescript-eslint/no-require-imports */
const { Record, RecordBatch, Long, Batch } = { ...pristine, Batch: patched.Batch };

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

const decodeWith = (decode: (d: unknown) => Promise<unknown>, bytes: Buffer, Decoder = patched.Decoder) =>
  decode(new Decoder(bytes));
const theirsOf = (bytes: Buffer) => decodeWith(pristine.decodeMessages, bytes, pristine.Decoder);
const records = (lazy: unknown) => (lazy as LazyRecords).records();

describe('fetched records decoded when first read', () => {
  it.each([
    ['uncompressed', Types.None, false],
    ['gzip', Types.GZIP, false],
    ['a cut tail', Types.None, true],
  ])('gives the records kafkajs gives (%s)', async (_name, compression, cutTail) => {
    const bytes = await recordSet(compression, cutTail);
    const lazy = await decodeWith(decodeMessagesLazily as (d: unknown) => Promise<unknown>, bytes);
    const theirs = await theirsOf(bytes);
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

  it('filters as Array#filter does, and a filter that keeps every record gives the records themselves', () => {
    const all = Array.from({ length: 9 }, (_, i) => ({ offset: String(i) }));
    const lazy = LazyRecords.of(() => all.slice());
    const calls: number[] = [];
    const some = lazy.filter(
      (r: { offset: string }, i: number) => (calls.push(i), Number(r.offset) % 3 !== 1),
    );
    expect(some.records()).toEqual(all.filter((r) => Number(r.offset) % 3 !== 1));
    expect(calls).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const every = lazy.filter(() => true);
    expect(every.records()).toBe(lazy.records());
    expect(lazy.filter(() => false).records()).toEqual([]);
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
      const eager = new pristine.Batch('t', fetchedOffset, partition(await theirsOf(bytes)));
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

  it('gives what kafkajs gives for an empty record set, a cut one, and one of old-format messages', async () => {
    const size = (n: number) => Buffer.from([n >> 24, n >> 16, n >> 8, n].map((b) => b & 255));
    const full = await recordSet(Types.None, false);
    const outcome = (decoded: Promise<unknown>) =>
      decoded.then(
        (r) => (r instanceof LazyRecords ? records(r) : r),
        (e: Error) => `${e.name}: ${e.message}`,
      );
    const sets = [size(0), size(-1), full.subarray(0, 40), Buffer.concat([size(4), Buffer.alloc(4)])];
    sets.push(Buffer.concat([size(30), Buffer.alloc(16), Buffer.from([1]), Buffer.alloc(13)])); // magic 1
    for (const bytes of sets) {
      const lazy = decodeWith(decodeMessagesLazily as (d: unknown) => Promise<unknown>, bytes);
      expect(await outcome(lazy)).toEqual(await outcome(theirsOf(bytes)));
    }
  });

  it('is what kafkajs decodes fetch responses with, and the oracle is not', () => {
    expect(lazyRecords.verify()).toBeUndefined();
    expect(patched.decodeMessages).toBe(decodeMessagesLazily);
    expect(pristine.decodeMessages).not.toBe(decodeMessagesLazily);
  });
});
