/**
 * kafkajs 2.2.4 decodes every record of a fetch response as the response arrives: all its
 * partitions' batches at once (~42k records for a 6 MB fetch), then hands the batches over one
 * by one, and keeps every batch's records until the last one is handled. A record of the last
 * partition thus waits for all the others (~200 ms in a busy processor), lives through several
 * young-generation collections and is promoted, with its key, value and offset; in a 1M-event
 * pipeline run that was most of what the old generation took in.
 *
 * Here a partition's records are decoded when kafkajs first reads its batch's messages (just
 * before the batch is handled), and `releaseRecords` lets a consumer forget them once it has
 * taken what it needs. Decompression still happens as the response arrives (it is the only
 * asynchronous step); the bytes stay where the response put them. Same records, same filters
 * (offsets before the one fetched, aborted transactions, control records): `lazy-records.spec.ts`
 * compares the batches with a pristine kafkajs's. A malformed record now fails when its batch is
 * read rather than when the response is, which kafkajs treats as that batch failing. Installed by
 * `lazyRecords` (a module swap and a prototype patch), for consumers: the agent bundle leaves it out.
 */
import { expectFunction, firstProblem, moduleSwap, type KafkajsPatch } from './kafkajs-patch';
import { readRecordBatch, type BatchDecoder, type RecordBatchHead } from './record-batch-decode';

/** A filter kafkajs puts on records (it reads their offset, key and batch context). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Keep = (record: any, index: number, all: unknown[]) => boolean;

/** A partition's records, decoded at the first `records()`, and the filters kafkajs put on them. */
export class LazyRecords {
  private decoded: unknown[] | undefined;

  private constructor(
    private readonly decode: (() => unknown[]) | undefined,
    private readonly parent: LazyRecords | undefined,
    private readonly keep: Keep | undefined,
  ) {}

  static of(decode: () => unknown[]): LazyRecords {
    return new LazyRecords(decode, undefined, undefined);
  }

  /** As `Array.prototype.filter`, applied when the records are read (kafkajs's `Batch` filters thrice). */
  filter(keep: Keep): LazyRecords {
    return new LazyRecords(undefined, this, keep);
  }

  /**
   * The records, decoded and filtered on first call; the same array until `release`. A filter
   * that keeps every record gives its parent's array itself (nothing changes a batch's records),
   * not a copy: kafkajs filters each batch twice, and almost always keeps everything.
   */
  records(): unknown[] {
    if (this.decoded) return this.decoded;
    if (!this.parent) return (this.decoded = this.decode!());
    const all = this.parent.records();
    const keep = this.keep!;
    let i = 0;
    while (i < all.length && keep(all[i], i, all)) i++;
    if (i === all.length) return (this.decoded = all);
    const kept = all.slice(0, i);
    for (let j = i + 1; j < all.length; j++) if (keep(all[j], j, all)) kept.push(all[j]);
    return (this.decoded = kept);
  }

  /** Forgets the decoded records; reading them again decodes them again. */
  release(): void {
    this.decoded = undefined;
    this.parent?.release();
  }
}

/* eslint-disable @typescript-eslint/no-require-imports */
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => BatchDecoder & {
  canReadBytes(n: number): boolean;
};
const MessageSetDecoder = require('kafkajs/src/protocol/messageSet/decoder.js') as (
  d: unknown,
  size: number,
) => Promise<unknown[]>;
const { MAGIC_BYTE } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { MAGIC_BYTE: number };
const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as {
  prototype: { fetch(nodeId: number): Promise<object[]> };
};
/* eslint-enable @typescript-eslint/no-require-imports */

// As kafkajs's decodeMessages.js: where the magic byte sits, and the least a record batch takes.
const MAGIC_OFFSET = 16;
const RECORD_BATCH_OVERHEAD = 49;

/**
 * kafkajs's `fetch/v4/decodeMessages.js`, step for step, but a record set of record batches
 * (magic 2) comes back as `LazyRecords`. Older message sets are decoded at once, as before.
 */
export async function decodeMessagesLazily(
  decoder: BatchDecoder & { canReadBytes(n: number): boolean; readBytes(n: number): Buffer },
): Promise<unknown[] | LazyRecords> {
  const messagesSize = decoder.readInt32();
  if (messagesSize <= 0 || !decoder.canReadBytes(messagesSize)) return [];
  const messagesBuffer = decoder.readBytes(messagesSize);
  const messagesDecoder = new Decoder(messagesBuffer);
  const magicByte = messagesBuffer.subarray(MAGIC_OFFSET).readInt8(0);
  if (magicByte !== MAGIC_BYTE) return MessageSetDecoder(messagesDecoder, messagesSize);
  const batches: RecordBatchHead[] = [];
  while (messagesDecoder.canReadBytes(RECORD_BATCH_OVERHEAD)) {
    try {
      batches.push(await readRecordBatch(messagesDecoder));
    } catch (e) {
      // The tail of the record batches can be cut short by the fetch's maxBytes (as kafkajs).
      if ((e as Error).name === 'KafkaJSPartialMessageError') break;
      throw e;
    }
  }
  return LazyRecords.of(() => {
    const records: unknown[] = [];
    for (const batch of batches) for (const r of batch.records()) records.push(r);
    return records;
  });
}

/** kafkajs's `Batch` fields that hold records. */
const FIELDS = ['rawMessages', 'messagesWithinOffset', 'messages'] as const;
const lazyFields = new WeakMap<object, LazyRecords[]>();

/**
 * Makes a batch kafkajs built over `LazyRecords` read them on first use: its three record
 * arrays become getters of their decoded records. Other batches are left as they are.
 */
export function readLazily(batch: object): void {
  const held: LazyRecords[] = [];
  for (const field of FIELDS) {
    const lazy = (batch as Record<string, unknown>)[field];
    if (!(lazy instanceof LazyRecords)) continue;
    held.push(lazy);
    Object.defineProperty(batch, field, { get: () => lazy.records(), enumerable: true, configurable: true });
  }
  if (held.length > 0) lazyFields.set(batch, held);
}

/**
 * Lets a fetched batch forget its decoded records: kafkajs keeps every batch of a fetch until
 * the last is handled, so a consumer that has taken the records it needs calls this to let
 * them go now. Reading them again decodes them again. Does nothing to other batches.
 */
export function releaseRecords(batch: object): void {
  for (const lazy of lazyFields.get(batch) ?? []) lazy.release();
}

const kafkajsFetch = ConsumerGroup.prototype.fetch;
async function fetch(this: unknown, nodeId: number) {
  const batches = await kafkajsFetch.call(this, nodeId);
  for (const batch of batches) readLazily(batch);
  return batches;
}

/** kafkajs's fetch responses require this at their first use: from then on they get ours. */
const decodeMessages = moduleSwap(
  'protocol/requests/fetch/v4/decodeMessages.js',
  ['v4', 'v5', 'v7', 'v8', 'v11'].map((v) => `protocol/requests/fetch/${v}/response.js`),
  decodeMessagesLazily,
  (original) =>
    expectFunction('decodeMessages', original, 1, [
      'readInt32()',
      'canReadBytes(',
      'KafkaJSPartialMessageError',
    ]),
);

export const lazyRecords: KafkajsPatch = {
  name: 'lazy-records',
  sources: {
    'protocol/requests/fetch/v4/decodeMessages.js':
      'd9fede59bebf84ee15169d0ecc54df594a11722b6ba8d5db535ed1d8548d4fcc',
    // readRecordBatch reads a batch as this does.
    'protocol/recordBatch/v0/decoder.js': '38cae7fc865f9bc51941353e1f6e9419227a8799ba4efb437199393a4eb94819',
    'consumer/consumerGroup.js': 'f3e461738585a8dc6574c647123a18afc732f81cdee4f9f7bb62e4aa1dffbfbb',
    // Batch filters its records with Array's filter, in these three fields.
    'consumer/batch.js': '04ee8657247441599f200af5871ce6b3c4463abe941b97405502f8f5f683face',
  },
  check: () =>
    firstProblem(
      ConsumerGroup.prototype.fetch === kafkajsFetch
        ? undefined
        : 'ConsumerGroup.prototype.fetch was replaced',
      expectFunction('ConsumerGroup.prototype.fetch', kafkajsFetch, 1, ['new Batch(', 'seekOffsets(']),
      decodeMessages.check(),
    ),
  install() {
    ConsumerGroup.prototype.fetch = fetch;
    decodeMessages.install();
  },
  verify: () =>
    firstProblem(
      ConsumerGroup.prototype.fetch === fetch ? undefined : 'ConsumerGroup.prototype.fetch is not the patch',
      decodeMessages.verify(),
    ),
};
