import { expectFunction, firstProblem, type KafkajsPatch } from './kafkajs-patch';

/**
 * kafkajs 2.2.4 spends much of a consumer's allocation on 64-bit `Long` arithmetic per record
 * (about a tenth of all it allocates at a few hundred thousand records a second):
 * - each record's timestamp delta, a zig-zag varlong, costs three `Long`s and `BigInt`s per byte
 *   and five more to undo the zig-zag. Here up to seven bytes (49 bits, exact in a double) are
 *   read as a number and one `Long` is built; longer values, and anything malformed, go to the
 *   original.
 * - each record parses its batch's base offset and base timestamp from their decimal strings
 *   again. Here the last two strings parsed are remembered (`Long`s are never changed in place).
 * - each record's offset and timestamp are then `Long` sums turned back into strings, and its
 *   headers an array folded into a new object. Here a record without headers whose numbers fit a
 *   double is read with plain numbers (the timestamp string reused while it repeats) and shares
 *   one frozen empty headers object (`readLeanRecord`, which `record-batch-decode.ts` calls for
 *   every record of a fetched batch); any other record is read by kafkajs itself.
 * Same results: `record-decode.spec.ts` checks them against a pristine kafkajs. The first two are
 * installed by `recordDecode` (a prototype patch and a memo on kafkajs's `Long`), for consumers:
 * the agent bundle leaves it out.
 */
export interface DecoderInternals {
  buffer: Buffer;
  offset: number;
  readVarLong(): unknown;
  readVarInt(): number;
  readInt8(): number;
  readVarIntBytes(): Buffer | null;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Decoder = require('kafkajs/src/protocol/decoder.js') as { prototype: DecoderInternals };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Long = require('kafkajs/src/utils/long.js') as {
  fromNumber(value: number): unknown;
  fromString(text: string): unknown;
};

/** kafkajs's own decoding: the fallback. */
const kafkajsReadVarLong = Decoder.prototype.readVarLong;
/** Bytes whose 7-bit groups fit a double exactly. */
const FAST_BYTES = 7;

/**
 * A zig-zag varlong of at most `FAST_BYTES` bytes at the decoder's offset, as a number (the
 * offset moves past it); undefined (the offset untouched) for anything longer or cut short.
 */
function readZigZag(decoder: DecoderInternals): number | undefined {
  const buffer = decoder.buffer;
  const start = decoder.offset;
  let unsigned = 0;
  let scale = 1;
  for (let i = 0; i < FAST_BYTES && start + i < buffer.length; i++) {
    const byte = buffer[start + i]!;
    unsigned += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      decoder.offset = start + i + 1;
      // Zig-zag: even n is n / 2, odd n is -(n + 1) / 2.
      return unsigned % 2 === 0 ? unsigned / 2 : -(unsigned + 1) / 2;
    }
    scale *= 128;
  }
  return undefined;
}

function readVarLong(this: DecoderInternals) {
  const value = readZigZag(this);
  return value === undefined ? kafkajsReadVarLong.call(this) : Long.fromNumber(value);
}

/**
 * `parse` remembering its last two inputs (a batch's records read its base timestamp, then its
 * base offset, from the same two strings again and again); results must never be changed.
 */
function lastTwo<T extends string | undefined, R>(parse: (text: T) => R): (text: T) => R {
  const none = {}; // equal to no input, so an empty slot never answers
  const texts: unknown[] = [none, none];
  const results: R[] = [];
  let older = 0;
  return (text) => {
    if (text === texts[0]) return results[0]!;
    if (text === texts[1]) return results[1]!;
    const value = parse(text);
    texts[older] = text;
    results[older] = value;
    older ^= 1;
    return value;
  };
}

/** kafkajs's own parse of a decimal string into a `Long`. */
const kafkajsFromString = Long.fromString;
const fromString = lastTwo((text: string) => kafkajsFromString.call(Long, text));

export interface BatchContext {
  firstOffset: string;
  firstTimestamp: string;
  magicByte: number;
  isControlBatch?: boolean;
  timestampType: number;
  maxTimestamp: string;
}

type RecordDecoder = (decoder: DecoderInternals, batchContext?: Partial<BatchContext>) => unknown;

/* eslint-disable @typescript-eslint/no-require-imports */
/** kafkajs's own decoding of one record: the fallback of `readLeanRecord`'s callers. */
export const kafkajsDecodeRecord =
  require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js') as RecordDecoder;
const { LOG_APPEND_TIME } = require('kafkajs/src/protocol/timestampTypes.js') as { LOG_APPEND_TIME: number };
/* eslint-enable @typescript-eslint/no-require-imports */

/** The headers of every record that has none (frozen: shared by all of them). */
export const NO_HEADERS = Object.freeze({});

/** A decimal string as a number if it is an integer a double holds exactly, else NaN. */
const baseOf = lastTwo((text: string | undefined): number => {
  const value = typeof text === 'string' && /^-?\d{1,16}$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(value) ? value : NaN;
});

let lastTimestamp = NaN;
let lastTimestampText = '';

/**
 * A record without headers whose numbers fit a double, read with plain numbers from the decoder's
 * offset; it must end exactly at `end`. Undefined (the offset untouched) for any other record.
 */
export function readLeanRecord(
  decoder: DecoderInternals,
  batchContext: Partial<BatchContext>,
  end: number,
): object | undefined {
  const {
    firstOffset,
    firstTimestamp,
    magicByte,
    isControlBatch = false,
    timestampType,
    maxTimestamp,
  } = batchContext;
  const start = decoder.offset;
  const baseOffset = baseOf(firstOffset);
  const appendTime = timestampType === LOG_APPEND_TIME && maxTimestamp;
  const baseTimestamp = appendTime ? 0 : baseOf(firstTimestamp);
  if (Number.isNaN(baseOffset) || Number.isNaN(baseTimestamp)) return undefined;
  const attributes = decoder.readInt8();
  const timestampDelta = readZigZag(decoder);
  if (timestampDelta === undefined) {
    decoder.offset = start;
    return undefined;
  }
  const offsetDelta = decoder.readVarInt();
  const key = decoder.readVarIntBytes();
  const value = decoder.readVarIntBytes();
  const headerCount = decoder.readVarInt();
  const offsetValue = baseOffset + offsetDelta;
  const timestampValue = baseTimestamp + timestampDelta;
  if (
    (headerCount !== 0 && headerCount !== -1) ||
    decoder.offset !== end ||
    !Number.isSafeInteger(offsetValue) ||
    !Number.isSafeInteger(timestampValue)
  ) {
    decoder.offset = start;
    return undefined;
  }
  let timestamp: string;
  if (appendTime) timestamp = maxTimestamp;
  else if (timestampValue === lastTimestamp) timestamp = lastTimestampText;
  else {
    lastTimestamp = timestampValue;
    timestamp = lastTimestampText = String(timestampValue);
  }
  return {
    magicByte,
    attributes,
    timestamp,
    offset: String(offsetValue),
    key,
    value,
    headers: NO_HEADERS,
    isControlRecord: isControlBatch,
    batchContext,
  };
}

export const recordDecode: KafkajsPatch = {
  name: 'record-decode',
  sources: {
    'protocol/decoder.js': '83c43fac8d6b8ef2dcf0dfe8bc4494e84c2c94d2b59fbe41a670505a5fcba41b',
    'utils/long.js': 'c85b8ecea7cf07520328e3e9c3b205c4fab5b68a657e3a92c400b582a5c1aa2c',
    // readLeanRecord reads a record as this does.
    'protocol/recordBatch/record/v0/decoder.js':
      '86d740054c8be29b02873bf2871eb43ba5004af94324610541dbab2d9fabcc65',
  },
  check: () =>
    firstProblem(
      Decoder.prototype.readVarLong === kafkajsReadVarLong
        ? undefined
        : 'Decoder.prototype.readVarLong was replaced',
      expectFunction('Decoder.prototype.readVarLong', kafkajsReadVarLong, 0, [
        '.fromInt(',
        '.shiftLeft(',
        'decodeZigZag64',
      ]),
      Long.fromString === kafkajsFromString ? undefined : 'Long.fromString was replaced',
      expectFunction('Long.fromString', kafkajsFromString, 1, ['BigInt(']),
      expectFunction('the record decoder', kafkajsDecodeRecord, 1, [
        'readVarLong()',
        'readVarIntBytes()',
        'isControlRecord',
      ]),
    ),
  install() {
    Decoder.prototype.readVarLong = readVarLong;
    Long.fromString = fromString;
  },
  verify: () =>
    firstProblem(
      Decoder.prototype.readVarLong === readVarLong
        ? undefined
        : 'Decoder.prototype.readVarLong is not the patch',
      Long.fromString === fromString ? undefined : 'Long.fromString is not the patch',
    ),
};
