/**
 * kafkajs 2.2.4 encodes every record it produces into a fresh, zero-filled 512-byte buffer
 * (`new Encoder()`), and writes its timestamp delta, a zig-zag varlong, through 64-bit `Long`
 * arithmetic per byte: ~7 µs a record in the processor's profile, for the aggregates and
 * incidents it publishes (and more for an agent's samples). Here a record without headers whose
 * value is a buffer (or null), whose key is a buffer, a string (written as UTF-8, as kafkajs
 * does: the agent and the processor key records by host name) or null, and whose deltas are
 * integers a double holds exactly is written into one buffer of its exact size (Node's pool
 * serves small ones) with plain numbers; any other record is encoded by kafkajs. Same bytes: `record-encode.spec.ts` checks them against
 * a pristine kafkajs's encoder. Installed by `recordEncode`, a module swap: kafkajs requires the
 * record encoder with its produce request, at the first send. The agent bundle leaves it out (a
 * bundle has no module registry to swap a module in).
 */
import { expectFunction, moduleSwap, type KafkajsPatch } from './kafkajs-patch';

interface EncoderInternals {
  buf: Buffer;
  offset: number;
}

interface RecordArgs {
  offsetDelta?: number;
  timestampDelta?: unknown;
  key?: unknown;
  value?: unknown;
  headers?: Record<string, unknown>;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const Encoder = require('kafkajs/src/protocol/encoder.js') as { prototype: object };
/** kafkajs's record encoder: the fallback. */
const kafkajsEncodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (
  args: RecordArgs,
) => EncoderInternals;
/* eslint-enable @typescript-eslint/no-require-imports */

/** Bytes of `n` (a non-negative integer below 2^53) as an unsigned varint. */
function sizeOfUVarint(n: number): number {
  let bytes = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
}

function writeUVarint(buf: Buffer, at: number, n: number): number {
  while (n >= 128) {
    buf[at++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[at++] = n;
  return at;
}

/** Zig-zag of an integer of at most 52 bits: exact in a double. */
const zigZag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);
const LIMIT = 2 ** 52;
const fits = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && Math.abs(n) < LIMIT;
const bytesOrNull = (b: unknown): b is Buffer | null | undefined => b == null || Buffer.isBuffer(b);
const hasHeaders = (headers: RecordArgs['headers']) => {
  for (const _ in headers) return true;
  return false;
};

/** One record as kafkajs's `recordBatch/record/v0` encodes it (an Encoder holding its bytes). */
export function encodeRecord(args: RecordArgs): EncoderInternals {
  const { offsetDelta = 0, timestampDelta = 0, key, value, headers } = args;
  if (
    !fits(offsetDelta) ||
    !fits(timestampDelta) ||
    !(typeof key === 'string' || bytesOrNull(key)) ||
    !bytesOrNull(value) ||
    hasHeaders(headers)
  )
    return kafkajsEncodeRecord(args);
  const time = zigZag(timestampDelta);
  const offset = zigZag(offsetDelta);
  const keyLength = key == null ? -1 : typeof key === 'string' ? Buffer.byteLength(key, 'utf8') : key.length;
  const valueLength = value == null ? -1 : value.length;
  const body =
    1 + // attributes
    sizeOfUVarint(time) +
    sizeOfUVarint(offset) +
    sizeOfUVarint(zigZag(keyLength)) +
    Math.max(keyLength, 0) +
    sizeOfUVarint(zigZag(valueLength)) +
    Math.max(valueLength, 0) +
    1; // no headers: a varint 0
  const buf = Buffer.allocUnsafe(sizeOfUVarint(zigZag(body)) + body);
  let at = writeUVarint(buf, 0, zigZag(body));
  buf[at++] = 0; // no record attributes
  at = writeUVarint(buf, at, time);
  at = writeUVarint(buf, at, offset);
  at = writeUVarint(buf, at, zigZag(keyLength));
  if (typeof key === 'string') at += buf.write(key, at, 'utf8');
  else if (key) at += key.copy(buf, at);
  at = writeUVarint(buf, at, zigZag(valueLength));
  if (value) at += value.copy(buf, at);
  buf[at++] = 0;
  const encoder = Object.create(Encoder.prototype) as EncoderInternals;
  encoder.buf = buf;
  encoder.offset = at;
  return encoder;
}

const swap = moduleSwap(
  'protocol/recordBatch/record/v0/index.js',
  ['protocol/requests/produce/v3/request.js'],
  encodeRecord,
  (original) =>
    original === kafkajsEncodeRecord
      ? expectFunction('the record encoder', original, 1, ['sizeOfVarLong(', 'writeVarLong(', 'headers'])
      : 'the record encoder was replaced',
);

export const recordEncode: KafkajsPatch = {
  name: 'record-encode',
  sources: {
    'protocol/recordBatch/record/v0/index.js':
      'ffbc628c1f35f5de8ba798165616b1009d9af1c27ca959999a10e6e3c18f8215',
    // An Encoder is made here from its prototype, with the two fields kafkajs reads.
    'protocol/encoder.js': '9977889e184a9e910e4f6098c36ec6a0ca36c183aa6ead0f24191b6aa1c9a777',
    'protocol/requests/produce/v3/request.js':
      '993a3db997827088f5acb08cacf3c67a99ec2886303ff465d244329b8a1c7f99',
  },
  ...swap,
};
