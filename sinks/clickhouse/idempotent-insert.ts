import crypto from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { SinkWriteError, errorMessage } from '../../core/errors';

/**
 * Inserts rows with a deduplication token derived from each row's identity, so the same batch
 * written again (a retry, a re-delivery) is dropped by ClickHouse itself.
 */
export async function idempotentInsert<R>(
  client: ClickHouseClient,
  table: string,
  rows: readonly R[],
  identity: (row: R) => string,
): Promise<void> {
  if (rows.length === 0) return;
  const hash = crypto.createHash('sha256');
  for (const row of rows) hash.update(identity(row)).update('\n');
  try {
    await client.insert({
      table,
      values: rows as R[],
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: hash.digest('hex') },
    });
  } catch (err) {
    throw new SinkWriteError(
      `ClickHouse insert of ${rows.length} rows into ${table} failed: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}
