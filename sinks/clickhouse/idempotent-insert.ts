import crypto from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { SinkWriteError, errorMessage } from '../../core/errors';
import { EncodedRows, RowRun } from './row-run';

/** Rows as arrays in `columns` order (JSONCompactEachRow): cheaper to encode and to parse. */
export interface CompactRows<R> {
  columns: [string, ...string[]];
  row: (row: R) => unknown[];
  /** Settings of this table's inserts, beside the deduplication token. */
  settings?: Record<string, number | string>;
}

/**
 * Inserts rows with a deduplication token derived from each row's identity, so the same batch
 * written again (a retry, a re-delivery) is dropped by ClickHouse itself.
 */
export async function idempotentInsert<R>(
  client: ClickHouseClient,
  table: string,
  rows: readonly R[],
  identity: (row: R) => string,
  compact?: CompactRows<R>,
): Promise<void> {
  if (rows.length === 0) return;
  const hash = crypto.createHash('sha256');
  for (const row of rows) hash.update(identity(row)).update('\n');
  try {
    const clickhouse_settings = { ...compact?.settings, insert_deduplication_token: hash.digest('hex') };
    if (compact)
      await client.insert({
        table,
        values: [new RowRun(rows.map(compact.row))],
        columns: compact.columns,
        format: 'JSONCompactEachRow',
        clickhouse_settings,
      });
    else await client.insert({ table, values: rows as R[], format: 'JSONEachRow', clickhouse_settings });
  } catch (err) {
    throw new SinkWriteError(
      `ClickHouse insert of ${rows.length} rows into ${table} failed: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}

/** Rows encoded ahead of their insert, with a digest of their identities for the token. */
export interface EncodedChunk {
  rows: EncodedRows;
  /** sha256 (hex) over the rows' identities, as `idempotentInsert` hashes them. */
  digest: string;
  readonly count: number;
  readonly bytes: number;
}

/** `rows` encoded as `compact` lays them out, with the digest of their identities. */
export function encodeChunk<R>(
  rows: readonly R[],
  identity: (row: R) => string,
  compact: CompactRows<R>,
): EncodedChunk {
  const hash = crypto.createHash('sha256');
  for (const row of rows) hash.update(identity(row)).update('\n');
  const encoded = EncodedRows.of(rows.map(compact.row));
  return { rows: encoded, digest: hash.digest('hex'), count: rows.length, bytes: encoded.text.length };
}

/**
 * Inserts encoded chunks in one insert, its deduplication token derived from the chunks' digests
 * in order: the same chunks written again (a retry, a re-delivery cut the same way) are dropped
 * by ClickHouse itself.
 */
export async function insertEncoded<R>(
  client: ClickHouseClient,
  table: string,
  chunks: readonly EncodedChunk[],
  compact: CompactRows<R>,
): Promise<void> {
  const filled = chunks.filter((c) => c.count > 0);
  if (filled.length === 0) return;
  const hash = crypto.createHash('sha256');
  for (const c of filled) hash.update(c.digest);
  const rows = filled.reduce((n, c) => n + c.count, 0);
  try {
    await client.insert({
      table,
      values: [new EncodedRows(filled.map((c) => c.rows.text).join(','), rows)],
      columns: compact.columns,
      format: 'JSONCompactEachRow',
      clickhouse_settings: { ...compact.settings, insert_deduplication_token: hash.digest('hex') },
    });
  } catch (err) {
    throw new SinkWriteError(`ClickHouse insert of ${rows} rows into ${table} failed: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}
