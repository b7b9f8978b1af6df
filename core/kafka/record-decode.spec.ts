import { isDeepStrictEqual } from 'node:util';
import {
  kafkajsDecodeRecord,
  kafkajsFromString,
  kafkajsReadVarLong,
  leanDecodeRecord,
  NO_HEADERS,
} from './record-decode';

interface Decoding {
  buffer: Buffer;
  offset: number;
  readVarLong(): { toString(): string };
  readVarInt(): number;
  readInt8(): number;
  readVarIntBytes(): Buffer | null;
}
/* eslint-disable @typescript-eslint/no-require-imports */
const Decoder = require('kafkajs/src/protocol/decoder.js') as {
  new (buffer: Buffer): Decoding;
  prototype: Decoding;
};
const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => {
  writeVarLong(value: unknown): void;
  buffer: Buffer;
};
const Long = require('kafkajs/src/utils/long.js') as {
  fromValue(v: bigint | string): { value: bigint; add(n: number): { toString(): string } };
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** What kafkajs itself reads from `bytes` at `offset`: the value and where it stops. */
function reference(bytes: Buffer, offset: number): { value: string; offset: number } {
  const d = new Decoder(bytes);
  d.offset = offset;
  const value = String(kafkajsReadVarLong.call(d));
  return { value, offset: d.offset };
}

const encode = (v: bigint) => {
  const e = new Encoder();
  e.writeVarLong(Long.fromValue(v));
  return e.buffer;
};

describe('kafkajs varlong decoding (number fast path)', () => {
  const edges = [0n, 1n, -1n, 63n, -64n, 64n, 8191n, -8192n, 2n ** 48n - 1n, -(2n ** 48n), 2n ** 48n];
  const wide = [2n ** 53n, -(2n ** 53n) - 7n, 2n ** 63n - 1n, -(2n ** 63n), 1_796_285_642_088n];

  it.each([...edges, ...wide].map(String))('decodes %s as kafkajs does, and stops after it', (text) => {
    const v = BigInt(text);
    const bytes = Buffer.concat([encode(v), Buffer.from([0x2a])]);
    const d = new Decoder(bytes);
    const got = d.readVarLong();
    const want = reference(bytes, 0);
    expect(got.toString()).toBe(want.value);
    expect(got.toString()).toBe(text);
    expect(d.offset).toBe(want.offset);
  });

  it('agrees with the 64-bit decoding on random values of every length', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    // Mismatches are collected and asserted once: an expect per value costs more than the decoding.
    const wrong: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const bits = BigInt(next() % 64);
      const magnitude = (BigInt(next()) * 2n ** 31n + BigInt(next())) % (1n << bits);
      const v = next() % 2 ? magnitude : -magnitude;
      const bytes = encode(v);
      const d = new Decoder(bytes);
      const got = d.readVarLong().toString();
      const want = reference(bytes, 0);
      if (got !== String(v) || d.offset !== bytes.length)
        wrong.push(`${v}: read ${got}, stopped at ${d.offset}`);
      if (want.value !== String(v) || want.offset !== bytes.length)
        wrong.push(`${v}: reference ${want.value}`);
    }
    expect(wrong).toEqual([]);
  });

  it('reads consecutive values from one buffer', () => {
    const values = [5n, -300n, 2n ** 60n, 0n, -(2n ** 40n)];
    const d = new Decoder(Buffer.concat(values.map(encode)));
    expect(values.map(() => d.readVarLong().toString())).toEqual(values.map(String));
  });

  it('reads a value cut short by the end of the buffer as kafkajs does', () => {
    for (const bytes of [[0x80], [0xff, 0x80], [0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88]]) {
      const d = new Decoder(Buffer.from(bytes));
      const got = String(d.readVarLong());
      expect({ value: got, offset: d.offset }).toEqual(reference(Buffer.from(bytes), 0));
    }
  });
});

describe('kafkajs Long parsing (the last two strings remembered)', () => {
  it('gives every string its own value however parses alternate and repeat', () => {
    const texts = ['1796285642088', '42', '1796285642088', '42', '-7', '42', '9223372036854775807', '', '0'];
    for (const text of texts.filter((t) => t !== '')) {
      expect(Long.fromValue(text).value).toBe(BigInt(text));
      expect((kafkajsFromString(text) as { value: bigint }).value).toBe(BigInt(text));
    }
    expect(() => Long.fromValue('')).toThrow('empty string');
  });

  it('decodes offsets and timestamps as base + delta, as records do', () => {
    const offsets = ['100', '5000000000000', '100'];
    expect(offsets.map((base, i) => Long.fromValue(base).add(i).toString())).toEqual([
      '100',
      '5000000000001',
      '102',
    ]);
  });
});

describe('kafkajs record decoding (numbers, shared empty headers)', () => {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: {
    offsetDelta?: number;
    timestampDelta?: unknown;
    key: Buffer | null;
    value: Buffer | null;
    headers?: Record<string, string | string[]>;
  }) => { buffer: Buffer };
  const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
    RecordBatch: (b: {
      firstOffset: unknown;
      firstTimestamp: number;
      records: unknown[];
    }) => Promise<{ buffer: Buffer }>;
  };
  const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
    d: unknown,
  ) => Promise<{ records: { headers: object; offset: string; timestamp: string }[] }>;
  /* eslint-enable @typescript-eslint/no-require-imports */
  /** The record's body, as kafkajs's batch decoder hands it to the record decoder. */
  const body = (record: Parameters<typeof Record>[0]) =>
    new Decoder(new Decoder(Record(record).buffer).readVarIntBytes()!);

  const context = (
    firstOffset: string,
    firstTimestamp: string,
    more: Partial<Record<string, unknown>> = {},
  ) => ({
    firstOffset,
    firstTimestamp,
    magicByte: 2,
    isControlBatch: false,
    timestampType: 0,
    maxTimestamp: '1700000000999',
    ...more,
  });

  it('reads what kafkajs reads, record by record, and falls back to it for the rest', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const bases = ['0', '41', '1796285642088', '-1', String(2 ** 53 - 3), '9223372036854775000', '007'];
    const differ: { ours: object; theirs: object }[] = [];
    for (let i = 0; i < 1000; i++) {
      const delta = [0, 1, -5, next() % 100_000, 2 ** 50, -(2 ** 52)][next() % 6]!;
      const record = {
        offsetDelta: next() % 5000,
        timestampDelta: Long.fromValue(BigInt(delta)),
        key: next() % 4 ? Buffer.from(`k${i}`) : null,
        value: next() % 9 ? Buffer.from(`value ${i}`) : null,
        headers: next() % 5 ? undefined : { h: `v${i}`, multi: ['a', 'b'] },
      };
      const ctx = context(bases[next() % bases.length]!, bases[next() % bases.length]!, {
        isControlBatch: next() % 7 === 0,
        timestampType: next() % 5 === 0 ? 1 : 0,
      });
      const lean = body(record);
      const original = body(record);
      const ours = leanDecodeRecord(lean, ctx);
      const theirs = kafkajsDecodeRecord(original, ctx);
      // Compared at once here; any pair that differs is compared again by jest below, to show it.
      if (!isDeepStrictEqual(ours, theirs) || lean.offset !== original.offset)
        differ.push({
          ours: { record: ours, at: lean.offset },
          theirs: { record: theirs, at: original.offset },
        });
    }
    expect(differ.map((d) => d.ours)).toEqual(differ.map((d) => d.theirs));
  });

  it('gives every record without headers the one frozen empty object, through kafkajs batch decoding', async () => {
    const records = [0, 1, 2].map((offsetDelta) =>
      Record({ offsetDelta, key: null, value: Buffer.from('v') }),
    );
    const encoded = await RecordBatch({
      firstOffset: Long.fromValue(10n),
      firstTimestamp: 1_700_000_000_000,
      records,
    });
    const batch = await decodeBatch(new Decoder(encoded.buffer));
    expect(batch.records.map((r) => r.offset)).toEqual(['10', '11', '12']);
    for (const r of batch.records) expect(r.headers).toBe(NO_HEADERS);
    expect(Object.isFrozen(NO_HEADERS)).toBe(true);
  });
});
