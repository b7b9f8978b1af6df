import zlib from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import './gzip-codec';

describe('gzip codec', () => {
  const codec = CompressionCodecs[CompressionTypes.GZIP]() as {
    compress(encoder: { buffer: Buffer }): Promise<Buffer>;
    decompress(buffer: Buffer): Promise<Buffer>;
  };
  const batch = Buffer.from(
    Array.from({ length: 200 }, (_, i) => `system.cpu.utilization host-${i % 7} ${i / 3}`).join('\n'),
  );

  it('writes plain gzip, smaller than its input, that any reader and kafkajs decompress', async () => {
    const compressed = await codec.compress({ buffer: batch });
    expect(compressed.length).toBeLessThan(batch.length / 3);
    expect(zlib.gunzipSync(compressed)).toEqual(batch);
    expect(await codec.decompress(compressed)).toEqual(batch);
  });

  it('still reads gzip written at other levels (by other producers)', async () => {
    expect(await codec.decompress(zlib.gzipSync(batch, { level: 9 }))).toEqual(batch);
  });
});
