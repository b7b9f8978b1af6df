import { decodeRecordBatch, kafkajsDecodeBatch } from './record-batch-decode';
import { NO_HEADERS } from './record-decode';

/* eslint-disable @typescript-eslint/no-require-imports */
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => { offset: number };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: object) => unknown;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (b: object) => Promise<{ buffer: Buffer }>;
};
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: bigint): unknown };
const { Types } = require('kafkajs/src/protocol/message/compression/index.js') as {
  Types: { None: number; GZIP: number };
};

type BatchDecode = (d: unknown) => Promise<unknown>;
/**
 * kafkajs's own batch decoder and Decoder, loaded in a module registry of their own, so none of
 * our patches reach them: the oracle. (`kafkajsDecodeBatch` is kafkajs's batch decoder too, but
 * it takes its record decoder, and `Decoder` its varlong reading, from the patched modules.)
 */
let pristine!: { decode: BatchDecode; Decoder: typeof Decoder };
jest.isolateModules(() => {
  pristine = {
    decode: require('kafkajs/src/protocol/recordBatch/v0/decoder.js'),
    Decoder: require('kafkajs/src/protocol/decoder.js'),
  };
});
/* eslint-enable @typescript-eslint/no-require-imports */

/** A batch of varied records, as kafkajs encodes it, followed by a few bytes of what comes next. */
async function encodedBatch(seed: number, compression: number): Promise<Buffer> {
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const records = Array.from({ length: 200 }, (_, i) =>
    Record({
      offsetDelta: i,
      timestampDelta: Long.fromValue(BigInt([0, 3, -5, 2 ** 50][next() % 4]!)),
      key: next() % 4 ? Buffer.from(`host-${i % 7}`) : null,
      value: next() % 9 ? Buffer.from(`value ${i} ${'x'.repeat(next() % 300)}`) : null,
      headers: next() % 6 ? undefined : { h: `v${i}`, multi: ['a', 'b'] },
    }),
  );
  const batch = await RecordBatch({
    compression,
    firstOffset: Long.fromValue(BigInt([0, 41, 1_796_285_642_088, 2 ** 53 - 100][seed % 4]!)),
    firstTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_999,
    records,
  });
  return Buffer.concat([batch.buffer, Buffer.from([1, 2, 3])]);
}

/**
 * The same value with every Buffer as tagged hex text: jest compares a Buffer byte by byte through
 * its generic equality (about 2.5 s for these batches), a string at once. Nothing is lost: equal
 * hex is equal bytes, and the tag keeps a Buffer apart from a string.
 */
function plain(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return `Buffer<${value.toString('hex')}>`;
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** Decodes a batch from the front of `bytes`, and where the decoder stopped. */
async function decodeWith(decode: BatchDecode, bytes: Buffer, decoderClass = Decoder) {
  const decoder = new decoderClass(bytes);
  const batch = await decode(decoder);
  return { batch, offset: decoder.offset };
}

describe('record batch decoding, records read in place', () => {
  it.each([
    ['uncompressed', Types.None],
    ['gzip', Types.GZIP],
  ])('reads %s batches as kafkajs does, record for record', async (_name, compression) => {
    for (let seed = 1; seed <= 4; seed++) {
      // Four seeds: each of the four first offsets once, 800 varied records per compression.
      const bytes = await encodedBatch(seed, compression);
      const ours = await decodeWith(decodeRecordBatch as BatchDecode, bytes);
      const theirs = await decodeWith(pristine.decode, bytes, pristine.Decoder);
      expect(plain(ours)).toEqual(plain(theirs));
      const records = (ours.batch as { records: { headers: object }[] }).records;
      expect(records).toHaveLength(200);
      expect(records.some((r) => r.headers === NO_HEADERS)).toBe(true); // read in place
      expect(records.some((r) => r.headers !== NO_HEADERS)).toBe(true); // read kafkajs's way
    }
  });

  it('fails on a batch cut short as kafkajs does', async () => {
    const bytes = await encodedBatch(3, Types.None);
    const cut = bytes.subarray(0, bytes.length - 100);
    const partial =
      /^Tried to decode a partial record batch: remainingBytes\(\d+\) < recordBatchLength\(\d+\)$/;
    const theirs = await decodeWith(pristine.decode, cut, pristine.Decoder).then(
      () => 'decoded',
      (e: Error) => e.message,
    );
    expect(theirs).toMatch(partial);
    await expect(decodeWith(decodeRecordBatch as (d: unknown) => Promise<unknown>, cut)).rejects.toThrow(
      theirs,
    );
  });

  it('checks against a kafkajs none of whose decoding is patched', () => {
    expect(pristine.decode).not.toBe(kafkajsDecodeBatch);
    expect(pristine.Decoder).not.toBe(Decoder);
    const proto = (c: typeof Decoder) => (c as unknown as { prototype: { readVarLong: unknown } }).prototype;
    expect(proto(pristine.Decoder).readVarLong).not.toBe(proto(Decoder).readVarLong);
  });

  it('is the decoder kafkajs fetches with', () => {
    expect(require('kafkajs/src/protocol/recordBatch/v0/decoder.js')).toBe(decodeRecordBatch); // eslint-disable-line @typescript-eslint/no-require-imports
  });
});
