import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { expectFunction, firstProblem, type KafkajsPatch } from './kafkajs-patch';

/**
 * The gzip codec: what Tidewatch produces (the agent's batches) at level 1, compressed in place,
 * and fetched batches of up to `IN_PLACE_MAX` compressed bytes decompressed in place.
 * - kafkajs's own compresses at zlib's default level 6 through the thread pool, with a stream per
 *   batch; on a ~9 KiB agent batch level 1 took 23 µs against 55 µs for output ~10 % larger, and
 *   needs no pool thread. Any Kafka client reads it as ordinary gzip.
 * - kafkajs decompresses every batch through the thread pool too: a zlib stream, its buffers and
 *   callbacks on this thread, then a pool thread. A consumer keeping up with its topic fetches
 *   small batches (tens of records per partition), and there the stream costs more than the
 *   inflating: a 30-record batch took 140 µs of CPU against 27 µs in place, 300 records 294
 *   against 114 µs. Larger batches (a backlog read in 1 MiB fetches) still go to the pool, so this
 *   thread is never held more than a few milliseconds by one.
 * Replaces kafkajs's entry in its codec table: it applies in the agent bundle too.
 */
interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsGzip = require('kafkajs/src/protocol/message/compression/gzip.js') as Codec;

/** Compressed bytes of a fetched batch inflated on this thread at most; larger ones go to the pool. */
export const IN_PLACE_MAX = 256 * 1024;

/**
 * Bytes a fetched batch may inflate to. A batch is at most a fetch's bytes per partition
 * compressed (1 MiB by default), and telemetry compresses about tenfold; a batch past this is
 * refused (and dead-lettered as unreadable, `record-batch-decode.ts`) before it is held whole:
 * kafkajs inflates without a bound, so a small batch of zeros could take the process's memory.
 */
export const INFLATED_MAX = 64 * 1024 * 1024;

const unzip = promisify(zlib.unzip);

/**
 * A fetched batch inflated, as kafkajs's (`unzip`: gzip or zlib headers, detected): in place up
 * to `IN_PLACE_MAX` compressed bytes, else in the pool; refused past `max` inflated bytes.
 */
export async function inflate(buffer: Buffer, max = INFLATED_MAX): Promise<Buffer> {
  const bounded = { maxOutputLength: max };
  return buffer.length <= IN_PLACE_MAX ? zlib.unzipSync(buffer, bounded) : unzip(buffer, bounded);
}

const levelOne: Codec = {
  compress: async (encoder) => zlib.gzipSync(encoder.buffer, { level: 1 }),
  decompress: (buffer) => inflate(buffer),
};
const gzip = () => levelOne;

export const gzipCodec: KafkajsPatch = {
  name: 'gzip-codec',
  sources: {
    'protocol/message/compression/gzip.js':
      '50f9800d15214211274c6255a11a2ca832c7dc9d0b7d828d95f7cda2b38e59f5',
    'protocol/message/compression/index.js':
      '666ec6400225fe90e42f6a59d7bbda2028f4150699dda04524689ccf1f0cb2c1',
  },
  check() {
    const factory = CompressionCodecs[CompressionTypes.GZIP];
    return firstProblem(
      expectFunction('CompressionCodecs[GZIP]', factory, 0, []),
      factory() === kafkajsGzip ? undefined : "CompressionCodecs[GZIP] does not give kafkajs's gzip codec",
      expectFunction('the gzip codec compress', kafkajsGzip.compress, 1, ['.buffer']),
      expectFunction('the gzip codec decompress', kafkajsGzip.decompress, 1, []),
    );
  },
  install() {
    CompressionCodecs[CompressionTypes.GZIP] = gzip;
  },
  verify: () =>
    CompressionCodecs[CompressionTypes.GZIP] === gzip
      ? undefined
      : "CompressionCodecs[GZIP] is not Tidewatch's",
};
