/**
 * kafkajs 2.2.4 spends much of a consumer's allocation on 64-bit `Long` arithmetic per record
 * (about a tenth of all it allocates at a few hundred thousand records a second):
 * - each record's timestamp delta, a zig-zag varlong, costs three `Long`s and `BigInt`s per byte
 *   and five more to undo the zig-zag. Here up to seven bytes (49 bits, exact in a double) are
 *   read as a number and one `Long` is built; longer values, and anything malformed, go to the
 *   original.
 * - each record parses its batch's base offset and base timestamp from their decimal strings
 *   again. Here the last two strings parsed are remembered (`Long`s are never changed in place).
 * Same results: `record-decode.spec.ts` checks them against kafkajs. Applied once, when the Kafka
 * client module loads.
 */
interface DecoderInternals {
  buffer: Buffer;
  offset: number;
  readVarLong(): unknown;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Decoder = require('kafkajs/src/protocol/decoder.js') as { prototype: DecoderInternals };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Long = require('kafkajs/src/utils/long.js') as {
  fromNumber(value: number): unknown;
  fromString(text: string): unknown;
};

/** kafkajs's own decoding: the fallback, and the reference its spec checks against. */
export const kafkajsReadVarLong = Decoder.prototype.readVarLong;
/** Bytes whose 7-bit groups fit a double exactly. */
const FAST_BYTES = 7;

Decoder.prototype.readVarLong = function (this: DecoderInternals) {
  const buffer = this.buffer;
  const start = this.offset;
  let unsigned = 0;
  let scale = 1;
  for (let i = 0; i < FAST_BYTES && start + i < buffer.length; i++) {
    const byte = buffer[start + i]!;
    unsigned += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      this.offset = start + i + 1;
      // Zig-zag: even n is n / 2, odd n is -(n + 1) / 2.
      return Long.fromNumber(unsigned % 2 === 0 ? unsigned / 2 : -(unsigned + 1) / 2);
    }
    scale *= 128;
  }
  return kafkajsReadVarLong.call(this);
};

/** kafkajs's own parse of a decimal string into a `Long`. */
export const kafkajsFromString = Long.fromString;
/** The last two strings parsed and their `Long`s (a record reads its base timestamp, then offset). */
const texts: (string | undefined)[] = [undefined, undefined];
const parsed: unknown[] = [undefined, undefined];
let older = 0;

Long.fromString = function (this: unknown, text: string) {
  if (text === texts[0]) return parsed[0];
  if (text === texts[1]) return parsed[1];
  const value = kafkajsFromString.call(this, text);
  texts[older] = text;
  parsed[older] = value;
  older ^= 1;
  return value;
};
