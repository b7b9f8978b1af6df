import { installKafkajsPatches } from './patches';
import { decodeRecordBatch } from './record-batch-decode';
import { NO_HEADERS } from './record-decode';

type BatchDecode = (d: unknown) => Promise<unknown>;
/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * kafkajs's own batch decoder and Decoder (and its encoders, for the inputs), loaded in a module
 * registry of their own, so none of our patches reach them: the oracle.
 */
let pristine!: {
  decode: BatchDecode;
  Decoder: new (buffer: Buffer) => { offset: number };
  Record: (r: object) => unknown;
  RecordBatch: (b: object) => Promise<{ buffer: Buffer }>;
  Long: { fromValue(v: bigint): unknown };
};
jest.isolateModules(() => {
  pristine = {
    decode: require('kafkajs/src/protocol/recordBatch/v0/decoder.js'),
    Decoder: require('kafkajs/src/protocol/decoder.js'),
    Record: require('kafkajs/src/protocol/recordBatch/record/v0/index.js'),
    RecordBatch: require('kafkajs/src/protocol/recordBatch/v0/index.js').RecordBatch,
    Long: require('kafkajs/src/utils/long.js'),
  };
});
installKafkajsPatches();
const Decoder = require('kafkajs/src/protocol/decoder.js') as typeof pristine.Decoder;
const { Types } = require('kafkajs/src/protocol/message/compression/index.js') as {
  Types: { None: number; GZIP: number };
};
/* eslint-enable @typescript-eslint/no-require-imports */
const { Record, RecordBatch, Long } = pristine;

/** Where a batch's attributes sit: after its base offset, length, leader epoch, magic and CRC. */
const ATTRIBUTES = 8 + 4 + 4 + 1 + 4;
/** The batch with attribute bits set (kafkajs does not check the CRC): control 0x20, transactional 0x10, append time 0x08. */
const withAttributes = (bytes: Buffer, bits: number) => {
  const copy = Buffer.from(bytes);
  copy.writeInt16BE(copy.readInt16BE(ATTRIBUTES) | bits, ATTRIBUTES);
  return copy;
};

/** A batch of varied records, as kafkajs encodes it, followed by a few bytes of what comes next. */
async function encodedBatch(seed: number, compression: number, count = 200): Promise<Buffer> {
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const records = Array.from({ length: count }, (_, i) =>
    Record({
      offsetDelta: i,
      timestampDelta: Long.fromValue(BigInt([0, 3, -5, 2 ** 50, -(2 ** 40), 2 ** 62][next() % 6]!)),
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
    lastOffsetDelta: Math.max(0, count - 1),
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

  it.each([
    ['control', 0x20],
    ['transactional', 0x10],
    ['log-append-time', 0x08],
    ['transactional control', 0x30],
  ])('reads %s batches as kafkajs does', async (_name, bits) => {
    for (const compression of [Types.None, Types.GZIP]) {
      const bytes = withAttributes(await encodedBatch(5, compression, 60), bits);
      const ours = await decodeWith(decodeRecordBatch as BatchDecode, bytes);
      expect(plain(ours)).toEqual(plain(await decodeWith(pristine.decode, bytes, pristine.Decoder)));
    }
  });

  it('reads empty batches as kafkajs does', async () => {
    for (const compression of [Types.None, Types.GZIP]) {
      const bytes = await encodedBatch(2, compression, 0);
      const ours = await decodeWith(decodeRecordBatch as BatchDecode, bytes);
      expect(plain(ours)).toEqual(plain(await decodeWith(pristine.decode, bytes, pristine.Decoder)));
      expect((ours.batch as { records: unknown[] }).records).toEqual([]);
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

  it('reads a batch it cannot read as one record at its last offset, with why, and goes past it', async () => {
    const good = await encodedBatch(1, Types.GZIP, 30);
    const head = (await decodeWith(decodeRecordBatch as BatchDecode, good)).batch as { firstOffset: string };
    const [first, last] = [BigInt(head.firstOffset), BigInt(head.firstOffset) + 29n];
    const withCodec = (bytes: Buffer, codec: number) => {
      const copy = Buffer.from(bytes);
      copy.writeInt16BE((copy.readInt16BE(ATTRIBUTES) & ~0x07) | codec, ATTRIBUTES);
      return copy;
    };
    const corruptBody = Buffer.from(good);
    corruptBody.fill(0xab, good.length - 40, good.length - 3); // the gzip body's tail and CRC
    const garbled = Buffer.from(await encodedBatch(1, Types.None, 30));
    garbled.fill(0xff, 61, garbled.length - 3); // the records: varints that never end
    const cases: [string, Buffer, RegExp][] = [
      ['zstd', withCodec(good, 4), /ZSTD compression not implemented/],
      ['corrupt gzip', corruptBody, /./],
      ['garbled records', garbled, /./],
    ];
    for (const [name, bytes, why] of cases) {
      const { batch, offset } = await decodeWith(decodeRecordBatch as BatchDecode, bytes);
      const records = (batch as { records: Record<string, unknown>[] }).records;
      expect([name, records.length]).toEqual([name, 1]);
      expect([name, records[0]]).toMatchObject([name, { offset: String(last), key: null, value: null }]);
      expect(records[0]!.unreadable).toMatch(
        new RegExp(`^record batch at offsets ${first}–${last} cannot be read: `),
      );
      expect(records[0]!.unreadable).toMatch(why);
      expect([name, offset]).toEqual([name, bytes.length - 3]); // past the batch, at what comes next
    }
    // kafkajs fails them instead.
    await expect(decodeWith(pristine.decode, withCodec(good, 4), pristine.Decoder)).rejects.toThrow(/ZSTD/);
  });

  it('checks against a kafkajs none of whose decoding is patched', () => {
    const proto = (c: typeof Decoder) => (c as unknown as { prototype: { readVarLong: unknown } }).prototype;
    expect(proto(pristine.Decoder).readVarLong).not.toBe(proto(Decoder).readVarLong);
  });
});
