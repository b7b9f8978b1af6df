import crypto from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { SinkWriteError, errorMessage } from '../../core/errors';
import { RowRun } from './row-run';

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
