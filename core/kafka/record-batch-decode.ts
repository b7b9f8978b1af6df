/**
 * kafkajs 2.2.4 reads every record of a fetched batch through a view of its bytes and a decoder
 * made for it (`recordBatch/v0/decoder.js`: `new Decoder(decoder.readVarIntBytes())`), two
 * objects per record that die at once and make the garbage collector run more often. This is
 * that batch decoder, the same but for the records: one without headers whose numbers fit a
 * double is read where it lies (`readLeanRecord`, bounded by its length); any other record, and
 * anything malformed, is read by kafkajs's way. Same results: `record-batch-decode.spec.ts`
 * checks whole batches, plain and compressed, against a pristine kafkajs's decoder. Not a patch
 * of its own: kafkajs's only user of its batch decoder is the fetch responses' `decodeMessages`,
 * which `lazy-records.ts` replaces with one that reads batches with `readRecordBatch`.
 */
import {
  kafkajsDecodeRecord,
  readLeanRecord,
  type BatchContext,
  type DecoderInternals,
} from './record-decode';

export interface BatchDecoder extends DecoderInternals {
  readInt16(): number;
  readInt32(): number;
  readInt64(): { toString(): string };
  readAll(): Buffer;
  slice(size: number): BatchDecoder;
  forward(size: number): void;
  readArray<T>(reader: (d: BatchDecoder) => T): T[];
}

/* eslint-disable @typescript-eslint/no-require-imports */
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer | null) => BatchDecoder;
const { KafkaJSPartialMessageError } = require('kafkajs/src/errors.js') as {
  KafkaJSPartialMessageError: new (message: string) => Error;
};
const { lookupCodecByAttributes } = require('kafkajs/src/protocol/message/compression/index.js') as {
  lookupCodecByAttributes(attributes: number): { decompress(b: Buffer): Promise<Buffer> } | undefined;
};
const TimestampTypes = require('kafkajs/src/protocol/timestampTypes.js') as {
  LOG_APPEND_TIME: number;
  CREATE_TIME: number;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const TIMESTAMP_TYPE_FLAG_MASK = 0x8;
const TRANSACTIONAL_FLAG_MASK = 0x10;
const CONTROL_FLAG_MASK = 0x20;

/** One record at the decoder's offset: its length, then its body, read in place when it can be. */
function decodeRecord(decoder: BatchDecoder, context: Partial<BatchContext>): unknown {
  const at = decoder.offset;
  const length = decoder.readVarInt();
  const end = decoder.offset + length;
  if (length > 0 && end <= decoder.buffer.length) {
    const record = readLeanRecord(decoder, context, end);
    if (record) return record;
  }
  decoder.offset = at; // read kafkajs's way: a view of the record and a decoder over it
  return kafkajsDecodeRecord(new Decoder(decoder.readVarIntBytes()), context);
}

/**
 * The records of a batch whose header has been read: `decoder` stands at their count (and, when
 * compressed, the compressed bytes); decompression is the only asynchronous step, so it happens
 * here and the records themselves are read by the function returned, each time it is called.
 */
async function recordsReader(
  codec: ReturnType<typeof lookupCodecByAttributes>,
  recordsDecoder: BatchDecoder,
  context: Partial<BatchContext>,
): Promise<() => unknown[]> {
  if (!codec) {
    const at = recordsDecoder.offset;
    return () => {
      recordsDecoder.offset = at;
      return recordsDecoder.readArray((d) => decodeRecord(d, context));
    };
  }
  const length = recordsDecoder.readInt32();
  if (length <= 0) return () => [];
  const decompressed = new Decoder(await codec.decompress(recordsDecoder.readAll()));
  return () => {
    decompressed.offset = 0;
    const records = new Array<unknown>(length);
    for (let i = 0; i < length; i++) records[i] = decodeRecord(decompressed, context);
    return records;
  };
}

/** A record batch read up to its records, which `records()` decodes (again at every call). */
export interface RecordBatchHead {
  context: Record<string, unknown>;
  records: () => unknown[];
}

/**
 * What a whole batch that cannot be read becomes (compressed with a codec this client lacks, a
 * compressed body that does not inflate or inflates past its bound, records that do not parse):
 * one record at the batch's last offset, with no key or value and the reason in `unreadable`, so
 * the consumer passes the batch (its source dead-letters that record) instead of failing the
 * fetch, and so the partition, at every retry, for good. kafkajs fails the fetch.
 */
export interface UnreadableRecord {
  offset: string;
  key: null;
  value: null;
  timestamp: string;
  headers: Record<string, never>;
  isControlRecord: false;
  batchContext: Record<string, unknown>;
  magicByte: number;
  attributes: number;
  unreadable: string;
}

type HeadContext = BatchContext & { lastOffsetDelta: number };

function unreadableRecord(context: HeadContext, err: unknown): UnreadableRecord[] {
  const first = BigInt(context.firstOffset);
  const last = first + BigInt(context.lastOffsetDelta);
  const reason = err instanceof Error ? err.message : String(err);
  const record: UnreadableRecord = {
    offset: last.toString(),
    key: null,
    value: null,
    timestamp: String(context.maxTimestamp),
    headers: {},
    isControlRecord: false,
    batchContext: { ...context },
    magicByte: context.magicByte,
    attributes: 0,
    unreadable: `record batch at offsets ${first}–${last} cannot be read: ${reason}`,
  };
  return [record];
}

/**
 * kafkajs's `recordBatch/v0/decoder.js`, step for step, up to its records: the batch's header
 * and context, and the reader of its records (`decodeRecord` above). Moves `fetchDecoder` past
 * the batch; a batch cut short fails as kafkajs's does (`KafkaJSPartialMessageError`), a whole
 * batch whose records cannot be read is one `UnreadableRecord`.
 */
export async function readRecordBatch(fetchDecoder: BatchDecoder): Promise<RecordBatchHead> {
  const firstOffset = fetchDecoder.readInt64().toString();
  const length = fetchDecoder.readInt32();
  const decoder = fetchDecoder.slice(length);
  fetchDecoder.forward(length);

  const remainingBytes = Buffer.byteLength(decoder.buffer);
  if (remainingBytes < length) {
    throw new KafkaJSPartialMessageError(
      `Tried to decode a partial record batch: remainingBytes(${remainingBytes}) < recordBatchLength(${length})`,
    );
  }

  const partitionLeaderEpoch = decoder.readInt32();
  const magicByte = decoder.readInt8();
  decoder.readInt32(); // CRC, not checked (as kafkajs)
  const attributes = decoder.readInt16();
  const lastOffsetDelta = decoder.readInt32();
  const firstTimestamp = decoder.readInt64().toString();
  const maxTimestamp = decoder.readInt64().toString();
  const producerId = decoder.readInt64().toString();
  const producerEpoch = decoder.readInt16();
  const firstSequence = decoder.readInt32();

  const inTransaction = (attributes & TRANSACTIONAL_FLAG_MASK) > 0;
  const isControlBatch = (attributes & CONTROL_FLAG_MASK) > 0;
  const timestampType =
    (attributes & TIMESTAMP_TYPE_FLAG_MASK) > 0 ? TimestampTypes.LOG_APPEND_TIME : TimestampTypes.CREATE_TIME;

  const recordContext = {
    firstOffset,
    firstTimestamp,
    partitionLeaderEpoch,
    inTransaction,
    isControlBatch,
    lastOffsetDelta,
    producerId,
    producerEpoch,
    firstSequence,
    maxTimestamp,
    timestampType,
  };
  const context: HeadContext = { ...recordContext, magicByte };
  const unreadable = (err: unknown) => () => unreadableRecord(context, err);
  let reader: () => unknown[];
  try {
    reader = await recordsReader(lookupCodecByAttributes(attributes), decoder, context);
  } catch (err) {
    return { context: recordContext, records: unreadable(err) };
  }
  return {
    context: recordContext,
    records: () => {
      try {
        return reader();
      } catch (err) {
        return unreadable(err)();
      }
    },
  };
}

/** kafkajs's `recordBatch/v0/decoder.js`, step for step: the batch with its records decoded. */
export async function decodeRecordBatch(fetchDecoder: BatchDecoder) {
  const { context, records } = await readRecordBatch(fetchDecoder);
  return { ...context, records: records() };
}
