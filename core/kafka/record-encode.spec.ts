import { installKafkajsPatches } from './patches';
import { encodeRecord, recordEncode } from './record-encode';

type Encoded = { buf: Buffer; offset: number };
interface Kafkajs {
  encodeRecord: (args: object) => Encoded;
  produce: (r: object) => { encode(): Promise<{ buffer: Buffer }> };
  Long: { fromValue(v: bigint): unknown };
}
/* eslint-disable @typescript-eslint/no-require-imports */
const load = (): Kafkajs => ({
  encodeRecord: require('kafkajs/src/protocol/recordBatch/record/v0/index.js'),
  produce: require('kafkajs/src/protocol/requests/produce/v3/request.js'),
  Long: require('kafkajs/src/utils/long.js'),
});
/* eslint-enable @typescript-eslint/no-require-imports */
/** kafkajs in a module registry of its own, where no patch is installed: the oracle. */
let pristine!: Kafkajs;
jest.isolateModules(() => (pristine = load()));
installKafkajsPatches();
const patched = load(); // its produce request loaded after the patch, as in a running client

const bytes = (e: Encoded) => e.buf.subarray(0, e.offset);

let seed = 7;
const next = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};
const deltas = [0, 1, 63, 64, -64, -65, 8191, 2 ** 31 - 1, -(2 ** 31), 2 ** 40 + 3, -(2 ** 45), 2 ** 51];
const record = (i: number) => ({
  offsetDelta: [0, 1, 127, 128, 16_383, 16_384, 2 ** 20][next(7)]!,
  timestampDelta: deltas[next(deltas.length)]!,
  key: [
    null,
    Buffer.from(`host-${i % 9}`),
    Buffer.alloc(0),
    Buffer.alloc(200, 7),
    `host-${i % 9}`,
    'hôte-é',
    '',
  ][next(7)],
  value: [null, Buffer.alloc(next(300), i & 255), Buffer.alloc(17_000, 1)][next(3)],
  headers: next(8) === 0 ? { h: `v${i}`, multi: ['a', 'b'] } : next(2) ? {} : undefined,
});

describe('record encoding, against a pristine kafkajs', () => {
  it('writes the bytes kafkajs writes, for plain records and every other kind', () => {
    const wrong: number[] = [];
    let lean = 0;
    for (let i = 0; i < 300; i++) {
      const args = record(i);
      if (!bytes(encodeRecord(args)).equals(bytes(pristine.encodeRecord(args)))) wrong.push(i);
      if (!args.headers || Object.keys(args.headers).length === 0) lean++;
    }
    expect(wrong).toEqual([]);
    expect(lean).toBeGreaterThan(220);
  });

  it('writes a record keyed by a string itself, into a buffer of its exact size', () => {
    const encoded = encodeRecord({ key: 'hôte-1', value: Buffer.from('sample'), timestampDelta: 3 });
    expect(encoded.buf.length).toBe(encoded.offset); // kafkajs writes into a 512-byte buffer and grows it
    expect(pristine.encodeRecord({ key: 'x', value: Buffer.from('v') }).buf.length).toBeGreaterThan(
      pristine.encodeRecord({ key: 'x', value: Buffer.from('v') }).offset,
    );
  });

  it('hands kafkajs what it alone writes: string values, Long deltas, headers', () => {
    const cases = (k: Kafkajs) => [
      { key: 'text-key', value: 'text é value', timestampDelta: 5 },
      { key: 'clé', value: 'text value', timestampDelta: 5 },
      { key: null, value: Buffer.from('x'), timestampDelta: k.Long.fromValue(2n ** 60n) },
      { key: null, value: Buffer.from('x'), timestampDelta: 2 ** 53 },
      { key: Buffer.from('k'), value: null, headers: { trace: 'abc' } },
      { key: Buffer.from('k'), value: Buffer.from('v'), offsetDelta: 1.5 },
    ];
    const ours = cases(patched).map((args) => bytes(encodeRecord(args)).toString('hex'));
    expect(ours).toEqual(cases(pristine).map((args) => bytes(pristine.encodeRecord(args)).toString('hex')));
  });

  it('makes the produce requests kafkajs makes, with and without headers', async () => {
    const messages = Array.from({ length: 40 }, (_, i) => ({
      key: i % 5 ? Buffer.from(`host-${i % 7}`) : null,
      value: Buffer.from(`sample ${i}`),
      timestamp: String(1_700_000_000_000 + [0, 5, 1000, 3][i % 4]!),
      headers: i % 6 ? undefined : { h: `v${i}` },
    }));
    const request = async (k: Kafkajs) => {
      const topicData = [{ topic: 't', partitions: [{ partition: 0, messages }] }];
      return (await k.produce({ acks: -1, timeout: 1000, topicData }).encode()).buffer;
    };
    expect((await request(patched)).equals(await request(pristine))).toBe(true);
  });

  it('is the encoder kafkajs produces with, and the oracle is not', () => {
    expect(recordEncode.verify()).toBeUndefined();
    expect(patched.encodeRecord).toBe(encodeRecord);
    expect(pristine.encodeRecord).not.toBe(encodeRecord);
  });
});
