import { encodeRecord, kafkajsEncodeRecord } from './record-encode';

/* eslint-disable @typescript-eslint/no-require-imports */
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: bigint): unknown };
const bytes = (e: { buf: Buffer; offset: number }) => e.buf.subarray(0, e.offset);

describe('record encoding', () => {
  it('writes the bytes kafkajs writes, for plain records and every other kind', () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const wrong: number[] = [];
    const deltas = [0, 1, 63, 64, -64, -65, 8191, 2 ** 31 - 1, -(2 ** 31), 2 ** 40 + 3, -(2 ** 45), 2 ** 51];
    let lean = 0;
    for (let i = 0; i < 300; i++) {
      const args = {
        offsetDelta: [0, 1, 127, 128, 16_383, 16_384, 2 ** 20][next(7)]!,
        timestampDelta: deltas[next(deltas.length)]!,
        key: [null, Buffer.from(`host-${i % 9}`), Buffer.alloc(0), Buffer.alloc(200, 7)][next(4)],
        value: [null, Buffer.alloc(next(300), i & 255), Buffer.alloc(17_000, 1)][next(3)],
        headers: next(8) === 0 ? { h: `v${i}`, multi: ['a', 'b'] } : next(2) ? {} : undefined,
      };
      if (!bytes(encodeRecord(args)).equals(bytes(kafkajsEncodeRecord(args)))) wrong.push(i);
      if (!args.headers || Object.keys(args.headers).length === 0) lean++;
    }
    expect(wrong).toEqual([]);
    expect(lean).toBeGreaterThan(220);
  });

  it('hands kafkajs what it alone writes: string keys and values, Long deltas, headers', () => {
    const cases = [
      { key: 'text-key', value: 'text é value', timestampDelta: 5 },
      { key: null, value: Buffer.from('x'), timestampDelta: Long.fromValue(2n ** 60n) },
      { key: null, value: Buffer.from('x'), timestampDelta: 2 ** 53 },
      { key: Buffer.from('k'), value: null, headers: { trace: 'abc' } },
    ];
    for (const args of cases)
      expect(bytes(encodeRecord(args)).equals(bytes(kafkajsEncodeRecord(args)))).toBe(true);
  });

  it('is the encoder kafkajs produces with', () => {
    expect(require('kafkajs/src/protocol/recordBatch/record/v0/index.js')).toBe(encodeRecord);
  });
});
