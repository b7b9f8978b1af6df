import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { HEADER_BYTES, MAGIC_BYTE } from '../../core/serde';
import { avroContainer, type AvroBlock } from './avro-container';
import type { DigestedChunk } from './idempotent-insert';

/** Records as their Avro bodies, straight from their Kafka values: one container block. */
export interface AvroChunk extends AvroBlock, DigestedChunk {
  readonly schemaId: number;
  readonly bytes: number;
}

/**
 * The bodies of Confluent-framed Avro records, back to back, if every frame is one and all carry
 * the same schema id; undefined otherwise (a record from elsewhere, a batch across a schema change).
 */
export function avroBodies(
  frames: readonly (Buffer | null)[],
): { schemaId: number; body: Buffer } | undefined {
  const first = frames[0];
  if (!first || first.length < HEADER_BYTES) return undefined;
  const schemaId = first.readUInt32BE(1);
  let bytes = 0;
  for (const f of frames) {
    if (!f || f.length < HEADER_BYTES || f[0] !== MAGIC_BYTE || f.readUInt32BE(1) !== schemaId)
      return undefined;
    bytes += f.length - HEADER_BYTES;
  }
  const body = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (const f of frames) offset += f!.copy(body, offset, HEADER_BYTES);
  return { schemaId, body };
}

const quoted = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export interface AvroInsert {
  table: string;
  /** Target columns, and the expression over the file's fields that fills each. */
  columns: readonly (readonly [column: string, expression: string])[];
  /** Writer schema of every chunk (JSON text). */
  schema: string;
  chunks: readonly AvroChunk[];
  /** A folder the engine can read. */
  dir: string;
  settings: Record<string, number | string>;
  /** Only the file's rows that pass this condition are inserted (SQL over its fields, with `params`). */
  where?: string;
  params?: Record<string, unknown>;
}

/** What `writeAll` needs of a file handle. */
export interface GatheredWrites {
  writev(buffers: Buffer[]): Promise<{ bytesWritten: number }>;
}

/**
 * Writes `parts` in order, one gathered write per pass (the kernel may take less than all of it;
 * the rest goes in the next pass). `writeFile` with a list of buffers writes them one by one,
 * each a pool request that waits for a turn of the event loop, which a busy processor takes ~10 ms
 * to give: a raw insert's file took 0.1–1.1 s to write.
 */
export async function writeAll(handle: GatheredWrites, parts: readonly Buffer[]): Promise<void> {
  let rest = parts.filter((p) => p.length > 0);
  while (rest.length > 0) {
    let written = (await handle.writev(rest)).bytesWritten;
    if (written <= 0) throw new Error('a write took no bytes');
    let done = 0;
    while (done < rest.length && written >= rest[done]!.length) written -= rest[done++]!.length;
    rest = rest.slice(done);
    if (written > 0) rest[0] = rest[0]!.subarray(written);
  }
}

async function writeParts(file: string, parts: readonly Buffer[]): Promise<void> {
  const handle = await fs.promises.open(file, 'w', 0o600); // samples are the user's alone
  try {
    await writeAll(handle, parts);
  } finally {
    await handle.close();
  }
}

/**
 * Inserts the chunks as one Avro container that the engine reads from a file in `dir` (removed
 * afterwards, whatever happens): `INSERT … SELECT … FROM file(…, 'Avro')`. Only an engine on this
 * machine (the embedded one) can read it.
 */
export async function insertAvroFile(client: ClickHouseClient, o: AvroInsert): Promise<void> {
  // Absolute: the engine would resolve a relative path against its own files folder.
  const file = path.resolve(o.dir, `${crypto.randomUUID()}.avro`);
  try {
    await writeParts(file, avroContainer(o.schema, o.chunks));
    await client.command({
      query:
        `INSERT INTO ${o.table} (${o.columns.map(([c]) => c).join(', ')}) ` +
        `SELECT ${o.columns.map(([, e]) => e).join(', ')} FROM file(${quoted(file)}, 'Avro')` +
        (o.where ? ` WHERE ${o.where}` : ''),
      query_params: o.params,
      clickhouse_settings: o.settings,
    });
  } finally {
    await fs.promises.rm(file, { force: true });
  }
}

/**
 * Creates `dir` and removes container files an interrupted run left in it: those over an hour old
 * (an insert's file lives for one insert, and another processor sharing the folder may be using
 * a newer one).
 */
export function prepareAvroDir(dir: string, now: number): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith('.avro')) continue;
    const file = path.join(dir, name);
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat && now - stat.mtimeMs > 3_600_000) fs.rmSync(file, { force: true });
  }
}
