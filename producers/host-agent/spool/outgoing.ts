/** A Kafka record ready to send: the agent encodes once, and the spool keeps exactly these bytes. */
export interface Outgoing {
  topic: string;
  key: string;
  value: Buffer;
}

/** A batch of records as a spool payload: count (u32), then per record topic, key, value, each length-prefixed. */
export function encodeBatch(batch: readonly Outgoing[]): Buffer {
  const parts: Buffer[] = [u32(batch.length)];
  for (const m of batch) {
    const topic = Buffer.from(m.topic);
    const key = Buffer.from(m.key);
    parts.push(u32(topic.length), topic, u32(key.length), key, u32(m.value.length), m.value);
  }
  return Buffer.concat(parts);
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

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
}
