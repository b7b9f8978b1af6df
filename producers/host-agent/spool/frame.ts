import zlib from 'node:zlib';

/**
 * One spooled record on disk: MAGIC (4 bytes) | payload length (u32 BE) | CRC-32 of the payload
 * (u32 BE) | payload. The magic lets a reader find the next record after a damaged one; the CRC
 * catches torn writes and flipped bits.
 */
export const MAGIC = Buffer.from('TWs1', 'latin1');
export const HEADER_BYTES = 12;
/** A length beyond this is damage, not data (a spooled batch is far smaller). */
export const MAX_PAYLOAD = 64 * 1024 * 1024;

export function encodeFrame(payload: Buffer): Buffer {
  return frameOf(payload.length, (into) => payload.copy(into));
}

/** A frame whose payload of `length` bytes `write` puts in place (no copy of a payload buffer). */
export function frameOf(length: number, write: (payload: Buffer) => void): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + length);
  const payload = frame.subarray(HEADER_BYTES);
  write(payload);
  MAGIC.copy(frame, 0);
  frame.writeUInt32BE(length, 4);
  frame.writeUInt32BE(zlib.crc32(payload), 8);
  return frame;
}

export type FrameRead =
  | { kind: 'frame'; payload: Buffer; end: number }
  /** Not enough bytes for a whole record: the end of what was written (or a torn last write). */
  | { kind: 'incomplete' }
  /** Bytes at `at` are not a valid record; the next candidate starts at `next` (or none was found). */
  | { kind: 'corrupt'; next: number | undefined };

/** Reads the record that starts at `offset` in `buf`. */
export function readFrame(buf: Buffer, offset: number): FrameRead {
  if (buf.length - offset < HEADER_BYTES) return { kind: 'incomplete' };
  const length = buf.readUInt32BE(offset + 4);
  if (!buf.subarray(offset, offset + 4).equals(MAGIC) || length > MAX_PAYLOAD) return corrupt(buf, offset);
  const end = offset + HEADER_BYTES + length;
  if (end > buf.length) return { kind: 'incomplete' };
  const payload = buf.subarray(offset + HEADER_BYTES, end);
  if (zlib.crc32(payload) !== buf.readUInt32BE(offset + 8)) return corrupt(buf, offset);
  return { kind: 'frame', payload, end };
}

function corrupt(buf: Buffer, offset: number): FrameRead {
  const next = buf.indexOf(MAGIC, offset + 1);
  return { kind: 'corrupt', next: next < 0 ? undefined : next };
}
