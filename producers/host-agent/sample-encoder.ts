import type { MetricSample } from '../../schemas';
import { HEADER_BYTES, MAGIC_BYTE } from '../../core/serde/wire-format';

/**
 * A metric sample as Avro (`metric-sample.avsc`: event_id, host, ts, metric, value, unit,
 * attributes, labels) in the Confluent wire format, the bytes avsc writes (`sample-encoder.spec.ts`
 * compares them), written once into scratch space and copied out once. avsc writes strings of up
 * to 64 bytes, which are all of a sample's, with a loop over their characters, and the agent runs
 * without a JIT (`--jitless`, packaging/agent), where that loop is the larger part of its CPU per
 * round; here each string is one native UTF-8 write. A sample whose fields are not of the schema's
 * types is handed to `fallback` (avsc, which says what is wrong).
 */
export function sampleEncoder(
  schemaId: number,
  fallback: (s: MetricSample) => Buffer,
): (s: MetricSample) => Buffer {
  let scratch = Buffer.allocUnsafe(4096);
  return (s) => {
    if (!plain(s)) return fallback(s);
    const bound =
      HEADER_BYTES +
      64 +
      3 * (s.event_id.length + s.host.length + s.metric.length + s.unit.length) +
      mapBound(s.attributes) +
      mapBound(s.labels!);
    if (bound > scratch.length) scratch = Buffer.allocUnsafe(Math.max(bound, scratch.length * 2));
    const buf = scratch;
    buf[0] = MAGIC_BYTE;
    buf.writeUInt32BE(schemaId, 1);
    let at = writeString(buf, HEADER_BYTES, s.event_id);
    at = writeString(buf, at, s.host);
    at = writeLong(buf, at, s.ts);
    at = writeString(buf, at, s.metric);
    at = buf.writeDoubleLE(s.value, at);
    at = writeString(buf, at, s.unit);
    at = writeMap(buf, at, s.attributes);
    at = writeMap(buf, at, s.labels!);
    return Buffer.from(buf.subarray(0, at));
  };
}

/** avsc's largest long: a safe integer whose zig-zag is exact in a double. */
const MAX_LONG = Number.MAX_SAFE_INTEGER - 1;

function plain(s: MetricSample): boolean {
  return (
    typeof s.event_id === 'string' &&
    typeof s.host === 'string' &&
    Number.isInteger(s.ts) &&
    Math.abs(s.ts) <= MAX_LONG &&
    typeof s.metric === 'string' &&
    typeof s.value === 'number' &&
    typeof s.unit === 'string' &&
    stringMap(s.attributes) &&
    stringMap(s.labels)
  );
}

function stringMap(m: unknown): m is Record<string, string> {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return false;
  for (const k in m) if (typeof (m as Record<string, unknown>)[k] !== 'string') return false;
  return true;
}

/** Bytes a map takes at most: UTF-8 is at most 3 bytes per UTF-16 unit, varints at most 10. */
function mapBound(m: Record<string, string>): number {
  let n = 20;
  for (const k in m) n += 20 + 3 * (k.length + m[k]!.length);
  return n;
}

/** Avro long (zig-zag varint) of a safe integer, as avsc writes it. */
function writeLong(buf: Buffer, at: number, n: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  while (z >= 128) {
    buf[at++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[at++] = z;
  return at;
}

/** Written after a one-byte length, which holds up to 63 bytes; moved along when it takes more. */
function writeString(buf: Buffer, at: number, s: string): number {
  const bytes = buf.write(s, at + 1);
  if (bytes < 64) {
    buf[at] = bytes * 2;
    return at + 1 + bytes;
  }
  const length = writeLong(LENGTH, 0, bytes);
  buf.copyWithin(at + length, at + 1, at + 1 + bytes);
  LENGTH.copy(buf, at, 0, length);
  return at + length + bytes;
}

/** A string's length as a varint, before it is put in front of the string. */
const LENGTH = Buffer.alloc(10);

/** Avro map as avsc writes it: one block of every entry (when there is any), then 0. */
function writeMap(buf: Buffer, at: number, m: Record<string, string>): number {
  const keys = Object.keys(m);
  if (keys.length > 0) {
    at = writeLong(buf, at, keys.length);
    for (const k of keys) {
      at = writeString(buf, at, k);
      at = writeString(buf, at, m[k]!);
    }
  }
  return writeLong(buf, at, 0);
}
