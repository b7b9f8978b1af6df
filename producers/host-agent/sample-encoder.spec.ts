import avro from 'avsc';
import { frame } from '../../core/serde/wire-format';
import { loadSchema, type MetricSample } from '../../schemas';
import { sampleEncoder } from './sample-encoder';

const type = avro.Type.forSchema(loadSchema('metric-sample') as avro.Schema);
const avsc = (s: MetricSample) => frame(7, type.toBuffer(s));

let seed = 11;
const next = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};
const texts = [
  '',
  'a',
  'system.cpu.utilization',
  'é',
  '名前',
  '😀 emoji',
  'x'.repeat(63),
  'y'.repeat(64),
  'z'.repeat(300),
];
const text = () => texts[next(texts.length)]!;
const map = () => Object.fromEntries(Array.from({ length: next(5) }, (_, i) => [`${text()}${i}`, text()]));
const sample = (i: number): MetricSample => ({
  event_id: `host:${i}:${next(1e6)}`,
  host: text(),
  ts: [0, 1, -1, 63, 64, 2 ** 31, 1_765_000_000_123, -(2 ** 40), Number.MAX_SAFE_INTEGER - 1][next(9)]!,
  metric: text(),
  value: [0, -0, 1.5, -2.25e300, NaN, Infinity, 5e-324, i][next(8)]!,
  unit: text(),
  attributes: map(),
  labels: map(),
});

describe('sample encoder', () => {
  it('writes the bytes avsc writes, in the wire format, for every kind of string, number and map', () => {
    const encode = sampleEncoder(7, avsc);
    const wrong: number[] = [];
    for (let i = 0; i < 500; i++) {
      const s = sample(i);
      if (!encode(s).equals(avsc(s))) wrong.push(i);
    }
    expect(wrong).toEqual([]);
  });

  it('grows its scratch space for a sample larger than it, and the next one is right too', () => {
    const encode = sampleEncoder(7, avsc);
    const big = { ...sample(1), attributes: { k: 'v'.repeat(10_000) } };
    expect(encode(big).equals(avsc(big))).toBe(true);
    const small = sample(2);
    expect(encode(small).equals(avsc(small))).toBe(true);
  });

  it('hands a sample that is not of the schema to the fallback', () => {
    const fallback = jest.fn(() => Buffer.alloc(0));
    const encode = sampleEncoder(7, fallback);
    const bad = [
      { ...sample(3), ts: 1.5 },
      { ...sample(3), ts: Number.MAX_SAFE_INTEGER },
      { ...sample(4), value: '1' as unknown as number },
      { ...sample(5), attributes: { k: 1 as unknown as string } },
      { ...sample(6), labels: undefined },
    ];
    for (const s of bad) encode(s);
    expect(fallback).toHaveBeenCalledTimes(bad.length);
  });
});
