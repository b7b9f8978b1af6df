import { DecodeError } from '../errors';

/** Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the Avro body. */
export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;

export function frame(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  out[0] = MAGIC_BYTE;
  out.writeUInt32BE(schemaId, 1);
  body.copy(out, HEADER_BYTES);
  return out;
}

/** The schema id a framed record names; throws DecodeError when the frame is not ours. */
export function schemaIdOf(buf: Buffer | null): number {
  if (!buf || buf.length < HEADER_BYTES) {
    throw new DecodeError(
      'TW_ERR_BAD_MAGIC',
      `record is ${buf?.length ?? 0} bytes, shorter than the 5-byte header`,
    );
  }
  if (buf[0] !== MAGIC_BYTE) {
    throw new DecodeError('TW_ERR_BAD_MAGIC', `magic byte is ${buf[0]}, expected ${MAGIC_BYTE}`);
  }
  return buf.readUInt32BE(1);
}
