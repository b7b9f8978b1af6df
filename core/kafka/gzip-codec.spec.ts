import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { gzipCodec, inflate, INFLATED_MAX, IN_PLACE_MAX } from './gzip-codec';
import { installKafkajsPatches } from './patches';

interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}
interface Kafkajs {
  gzip: Codec;
  Record: (r: object) => unknown;
  RecordBatch: (b: object) => Promise<{ buffer: Buffer }>;
  decodeBatch: (d: unknown) => Promise<{ records: { value: Buffer | null }[] }>;
  Decoder: new (b: Buffer) => unknown;
}
/* eslint-disable @typescript-eslint/no-require-imports */
const load = (): Kafkajs => ({
  gzip: require('kafkajs').CompressionCodecs[require('kafkajs').CompressionTypes.GZIP](),
  Record: require('kafkajs/src/protocol/recordBatch/record/v0/index.js'),
  RecordBatch: require('kafkajs/src/protocol/recordBatch/v0/index.js').RecordBatch,
  decodeBatch: require('kafkajs/src/protocol/recordBatch/v0/decoder.js'),
  Decoder: require('kafkajs/src/protocol/decoder.js'),
});
/* eslint-enable @typescript-eslint/no-require-imports */
/** kafkajs in a module registry of its own, where no patch is installed: the oracle. */
let pristine!: Kafkajs;
jest.isolateModules(() => (pristine = load()));
installKafkajsPatches();
const patched = load();

let seed = 5;
const next = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};
const inputs = [
  Buffer.alloc(0),
  Buffer.from('x'),
  Buffer.from(
    Array.from({ length: 200 }, (_, i) => `system.cpu.utilization host-${i % 7} ${i / 3}`).join('\n'),
  ),
  Buffer.from(Array.from({ length: 70_000 }, () => next(256))), // incompressible
  Buffer.alloc(300_000, 'a'),
  crypto.randomBytes(IN_PLACE_MAX + 5000), // incompressible past the in-place limit: the pool's
];

// Buffers are compared with equals(): jest's toEqual walks them byte by byte, for seconds.
describe('gzip codec, against a pristine kafkajs', () => {
  it('writes gzip (not zlib or raw deflate) that kafkajs reads back, for every input', async () => {
    for (const input of inputs) {
      const ours = await patched.gzip.compress({ buffer: input });
      const theirs = await pristine.gzip.compress({ buffer: input });
      expect(ours.subarray(0, 3)).toEqual(theirs.subarray(0, 3)); // gzip magic and method
      expect(zlib.gunzipSync(ours).equals(input)).toBe(true);
      expect((await pristine.gzip.decompress(ours)).equals(input)).toBe(true);
    }
  });

  it('reads what kafkajs writes, and gzip of any level, as kafkajs does', async () => {
    for (const input of inputs) {
      const theirs = await pristine.gzip.compress({ buffer: input });
      expect((await patched.gzip.decompress(theirs)).equals(input)).toBe(true);
      const nine = zlib.gzipSync(input, { level: 9 });
      expect((await patched.gzip.decompress(nine)).equals(await pristine.gzip.decompress(nine))).toBe(true);
    }
  });

  it('inflates small batches in place and large ones in the pool', async () => {
    const unzipSync = jest.spyOn(zlib, 'unzipSync');
    try {
      const small = zlib.gzipSync(inputs[2]!);
      const large = zlib.gzipSync(inputs[5]!, { level: 1 });
      expect(large.length).toBeGreaterThan(IN_PLACE_MAX);
      expect((await patched.gzip.decompress(small)).equals(inputs[2]!)).toBe(true);
      expect(unzipSync).toHaveBeenCalledTimes(1);
      expect(unzipSync).toHaveBeenCalledWith(small, { maxOutputLength: INFLATED_MAX }); // the codec's bound
      expect((await patched.gzip.decompress(large)).equals(inputs[5]!)).toBe(true);
      expect(unzipSync).toHaveBeenCalledTimes(1);
    } finally {
      unzipSync.mockRestore();
    }
  });

  it('refuses a corrupt batch, as kafkajs does', async () => {
    const corrupt = zlib.gzipSync(inputs[2]!);
    const crc = corrupt.length - 6;
    corrupt[crc] = corrupt[crc]! ^ 0xff; // a byte of the CRC
    await expect(pristine.gzip.decompress(corrupt)).rejects.toThrow();
    await expect(patched.gzip.decompress(corrupt)).rejects.toThrow();
    await expect(patched.gzip.decompress(Buffer.from('not gzip'))).rejects.toThrow();
  });

  it('refuses a batch that inflates past its bound, small or large, before holding it whole', async () => {
    const max = 1 << 20;
    const bomb = zlib.gzipSync(Buffer.alloc(max + 1), { level: 9 }); // about 1 KiB: inflated in place
    await expect(inflate(bomb, max)).rejects.toThrow(/larger than/);
    // Past IN_PLACE_MAX compressed: the pool's path, bounded the same way.
    const large = zlib.gzipSync(crypto.randomBytes(IN_PLACE_MAX + max));
    expect(large.length).toBeGreaterThan(IN_PLACE_MAX);
    await expect(inflate(large, max)).rejects.toThrow(/larger than/);
    expect((await inflate(zlib.gzipSync(Buffer.alloc(max)), max)).length).toBe(max);
  });

  it('makes gzip record batches kafkajs decodes to the same records', async () => {
    const batch = async (k: Kafkajs) => {
      const records = Array.from({ length: 50 }, (_, i) =>
        k.Record({ offsetDelta: i, key: null, value: Buffer.from(`value ${i} ${'y'.repeat(i * 7)}`) }),
      );
      const encoded = await k.RecordBatch({
        compression: CompressionTypes.GZIP,
        firstTimestamp: 1_700_000_000_000,
        maxTimestamp: 1_700_000_000_000,
        records,
      });
      return encoded.buffer;
    };
    const decode = async (bytes: Buffer) =>
      (await pristine.decodeBatch(new pristine.Decoder(bytes))).records.map((r) => r.value?.toString());
    const ours = await batch(patched);
    const theirs = await batch(pristine);
    expect(ours.equals(theirs)).toBe(false); // compressed otherwise
    expect(await decode(ours)).toEqual(await decode(theirs));
  });

  it('is what kafkajs compresses with, and the oracle is not', () => {
    expect(gzipCodec.verify()).toBeUndefined();
    expect(CompressionCodecs[CompressionTypes.GZIP]()).toBe(patched.gzip);
    expect(patched.gzip).not.toBe(pristine.gzip);
  });
});
