/** A Kafka record ready to send: the agent encodes once, and the spool keeps exactly these bytes. */
export interface Outgoing {
  topic: string;
  key: string;
  value: Buffer;
}

/**
 * A batch of records as a spool payload: count (u32), then per record topic, key, value, each
 * length-prefixed. Written in place (`writeBatch` into `batchBytes` bytes): one allocation per
 * batch, not four per record.
 */
export function encodeBatch(batch: readonly Outgoing[]): Buffer {
  const out = Buffer.allocUnsafe(batchBytes(batch));
  writeBatch(batch, out);
  return out;
}

/** The length of a batch's spool payload. */
export function batchBytes(batch: readonly Outgoing[]): number {
  let bytes = 4;
  for (const m of batch) bytes += 12 + Buffer.byteLength(m.topic) + Buffer.byteLength(m.key) + m.value.length;
  return bytes;
}

/** Writes a batch's spool payload at the start of `out` (`batchBytes(batch)` long); returns its end. */
export function writeBatch(batch: readonly Outgoing[], out: Buffer): number {
  out.writeUInt32BE(batch.length, 0);
  let at = 4;
  for (const m of batch) {
    at = writeString(out, at, m.topic);
    at = writeString(out, at, m.key);
    out.writeUInt32BE(m.value.length, at);
    at += 4 + m.value.copy(out, at + 4);
  }
  return at;
}

function writeString(out: Buffer, at: number, s: string): number {
  const length = out.write(s, at + 4);
  out.writeUInt32BE(length, at);
  return at + 4 + length;
}

export function decodeBatch(payload: Buffer): Outgoing[] {
  let at = 0;
  const next = () => {
    const length = payload.readUInt32BE(at);
    const bytes = payload.subarray(at + 4, at + 4 + length);
    if (bytes.length !== length) throw new RangeError('spooled batch ends early');
    at += 4 + length;
    return bytes;
  };
  const count = payload.readUInt32BE(0);
  at = 4;
  const out: Outgoing[] = [];
  for (let i = 0; i < count; i++) {
    const topic = next().toString();
    const key = next().toString();
    out.push({ topic, key, value: Buffer.from(next()) });
  }
  return out;
}

/** How many records a spool payload holds, without decoding it. */
export const batchCount = (payload: Buffer): number => payload.readUInt32BE(0);
