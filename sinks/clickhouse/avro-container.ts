import crypto from 'node:crypto';
import avro from 'avsc';

/** Avro's long (zig-zag, 7 bits a byte), as avsc writes it. */
const LONG = avro.Type.forSchema('long');
const avroLong = (n: number): Buffer => LONG.toBuffer(n);

const avroBytes = (b: Buffer) => [avroLong(b.length), b];

/** One block of a container: `count` records, their Avro bodies back to back. */
export interface AvroBlock {
  readonly count: number;
  readonly body: Buffer;
}

/**
 * An Avro object container file (uncompressed) holding `blocks`, as the buffers to write in
 * order: the header (magic, the writer schema, a sync marker), then each block's count, size,
 * bodies and the marker. Records already encoded with `schema` are framed, never re-encoded.
 */
export function avroContainer(schema: string, blocks: readonly AvroBlock[]): Buffer[] {
  const sync = crypto.randomBytes(16);
  const parts: Buffer[] = [
    Buffer.from('Obj\u0001', 'latin1'),
    avroLong(2),
    ...avroBytes(Buffer.from('avro.schema')),
    ...avroBytes(Buffer.from(schema)),
    ...avroBytes(Buffer.from('avro.codec')),
    ...avroBytes(Buffer.from('null')),
    avroLong(0),
    sync,
  ];
  for (const block of blocks) {
    if (block.count === 0) continue;
    parts.push(avroLong(block.count), avroLong(block.body.length), block.body, sync);
  }
  return parts;
}
