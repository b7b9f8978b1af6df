import { isDeepStrictEqual } from 'node:util';
import { installKafkajsPatches } from './patches';
import {
  kafkajsDecodeRecord,
  NO_HEADERS,
  readLeanRecord,
  recordDecode,
  type BatchContext,
  type DecoderInternals,
} from './record-decode';

interface LongValue {
  toString(): string;
}
interface Kafkajs {
  Decoder: new (buffer: Buffer) => DecoderInternals & { readVarLong(): LongValue };
  Encoder: new () => { writeVarLong(value: unknown): void; buffer: Buffer };
  Long: { fromValue(v: bigint | string): LongValue; fromString(text: string): LongValue };
  Record: (r: object) => { buffer: Buffer };
  decodeRecord: (d: DecoderInternals, context: Partial<BatchContext>) => unknown;
}
/* eslint-disable @typescript-eslint/no-require-imports */
const load = (): Kafkajs => ({
  Decoder: require('kafkajs/src/protocol/decoder.js'),
  Encoder: require('kafkajs/src/protocol/encoder.js'),
  Long: require('kafkajs/src/utils/long.js'),
  Record: require('kafkajs/src/protocol/recordBatch/record/v0/index.js'),
  decodeRecord: require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js'),
});
/* eslint-enable @typescript-eslint/no-require-imports */
/** kafkajs in a module registry of its own, where no patch is installed: the oracle (and the encoder of inputs). */
let pristine!: Kafkajs;
jest.isolateModules(() => (pristine = load()));
installKafkajsPatches();
const patched = load();

let seed = 7;
const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);

const encodeVarLong = (v: bigint) => {
  const e = new pristine.Encoder();
  e.writeVarLong(pristine.Long.fromValue(v));
  return e.buffer;
};

/** What a decoder reads from `bytes` at 0, where it stops, or the error it throws. */
function readWith(kafkajs: Kafkajs, bytes: Buffer): { value: string; offset: number } | string {
  const d = new kafkajs.Decoder(bytes);
  try {
    return { value: String(d.readVarLong()), offset: d.offset };
  } catch (e) {
    return (e as Error).message;
  }
}

describe('varlong decoding (number fast path), against a pristine kafkajs', () => {
  const edges = [0n, 1n, -1n, 63n, -64n, 64n, 8191n, -8192n, 2n ** 48n - 1n, -(2n ** 48n), 2n ** 48n];
  const wide = [2n ** 53n, -(2n ** 53n) - 7n, 2n ** 63n - 1n, -(2n ** 63n), 1_796_285_642_088n];

  it('reads every value of every length as kafkajs does, and stops where it stops', () => {
    const values = [...edges, ...wide];
    for (let i = 0; i < 5000; i++) {
      const bits = BigInt(next() % 64);
      const magnitude = (BigInt(next()) * 2n ** 31n + BigInt(next())) % (1n << bits);
      values.push(next() % 2 ? magnitude : -magnitude);
    }
    // Mismatches are collected and asserted once: an expect per value costs more than the decoding.
    const wrong: string[] = [];
    for (const v of values) {
      const bytes = Buffer.concat([encodeVarLong(v), Buffer.from([0x2a])]);
      const ours = readWith(patched, bytes);
      const theirs = readWith(pristine, bytes);
      if (!isDeepStrictEqual(ours, theirs) || (theirs as { value: string }).value !== String(v))
        wrong.push(`${v}: ${JSON.stringify(ours)} against ${JSON.stringify(theirs)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('reads values cut short, and too long, as kafkajs does', () => {
    const cases = [
      [0x80],
      [0xff, 0x80],
      [0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88],
      Array(11).fill(0xff),
      [],
    ];
    for (const bytes of cases)
      expect(readWith(patched, Buffer.from(bytes))).toEqual(readWith(pristine, Buffer.from(bytes)));
  });
});

describe('Long parsing (the last two strings remembered), against a pristine kafkajs', () => {
  it('gives every string its own value however parses alternate and repeat', () => {
    const texts = [
      '1796285642088',
      '42',
      '1796285642088',
      '42',
      '-7',
      '42',
      '9223372036854775807',
      'NaN',
      '0',
      '-7',
    ];
    const parse = (k: Kafkajs, t: string) => {
      try {
        return k.Long.fromString(t).toString();
      } catch (e) {
        return (e as Error).message;
      }
    };
    const all = [...texts, '', ...texts.reverse()];
    expect(all.map((t) => parse(patched, t))).toEqual(all.map((t) => parse(pristine, t)));
  });
});

describe('record decoding (numbers, shared empty headers), against a pristine kafkajs', () => {
  /** The record's body, as kafkajs's batch decoder hands it to the record decoder. */
  const body = (k: Kafkajs, record: object) => {
    const encoded = pristine.Record(record).buffer;
    return new k.Decoder(new k.Decoder(encoded).readVarIntBytes()!);
  };
  /** As record-batch-decode.ts reads a record: in place when it can, else kafkajs's way. */
  const ours = (d: DecoderInternals, context: Partial<BatchContext>) =>
    readLeanRecord(d, context, d.buffer.length) ?? kafkajsDecodeRecord(d, context);

  it('reads what kafkajs reads: headers or none, control batches, append time, any delta and base', () => {
    const bases = ['0', '41', '1796285642088', '-1', String(2 ** 53 - 3), '9223372036854775000', '007'];
    const differ: { ours: object; theirs: object }[] = [];
    let lean = 0;
    for (let i = 0; i < 1000; i++) {
      const delta = [0, 1, -5, next() % 100_000, -(next() % 100_000), 2 ** 50, -(2 ** 52), 2 ** 62][
        next() % 8
      ]!;
      const record = {
        offsetDelta: [0, 1, next() % 5000, 2 ** 31 - 1][next() % 4],
        timestampDelta: pristine.Long.fromValue(BigInt(delta)),
        key: next() % 4 ? Buffer.from(`k${i}`) : null,
        value: next() % 9 ? Buffer.from(`value ${i}`) : null,
        headers: next() % 5 ? undefined : { h: `v${i}`, multi: ['a', 'b'] },
      };
      const context = {
        firstOffset: bases[next() % bases.length]!,
        firstTimestamp: bases[next() % bases.length]!,
        magicByte: 2,
        isControlBatch: next() % 7 === 0,
        timestampType: next() % 5 === 0 ? 1 : 0,
        maxTimestamp: '1700000000999',
      };
      const mine = body(patched, record);
      const original = body(pristine, record);
      const got = ours(mine, context);
      const want = pristine.decodeRecord(original, context);
      if ((got as { headers: object }).headers === NO_HEADERS) lean++;
      // Compared at once here; any pair that differs is compared again by jest below, to show it.
      if (!isDeepStrictEqual(got, want) || mine.offset !== original.offset)
        differ.push({
          ours: { record: got, at: mine.offset },
          theirs: { record: want, at: original.offset },
        });
    }
    expect(differ.map((d) => d.ours)).toEqual(differ.map((d) => d.theirs));
    expect(lean).toBeGreaterThan(300); // most were read in place
  });

  it('gives every record without headers the one frozen empty object', () => {
    const context = { firstOffset: '10', firstTimestamp: '1700000000000', magicByte: 2, timestampType: 0 };
    for (const offsetDelta of [0, 1, 2]) {
      const d = body(patched, { offsetDelta, key: null, value: Buffer.from('v') });
      expect((readLeanRecord(d, context, d.buffer.length) as { headers: object }).headers).toBe(NO_HEADERS);
    }
    expect(Object.isFrozen(NO_HEADERS)).toBe(true);
  });

  it('is what kafkajs runs, and the oracle is not', () => {
    expect(recordDecode.verify()).toBeUndefined();
    expect(patched.Decoder.prototype.readVarLong).not.toBe(pristine.Decoder.prototype.readVarLong);
    expect(patched.Long.fromString).not.toBe(pristine.Long.fromString);
  });
});
