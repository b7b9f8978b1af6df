import type { ClickHouseClient } from '@clickhouse/client';

/**
 * Stops merges of the raw `metrics` table for good (a table setting, kept in its metadata across
 * restarts): no part is small enough to merge. A ReplacingMergeTree merge collapses rows of one
 * key, so a re-delivered row merged away before the count would hide a duplicate that queries
 * could see until then. Inserts and their deduplication by token are not affected.
 */
export async function holdRawMerges(client: ClickHouseClient, db: string): Promise<void> {
  await client.command({
    query: `ALTER TABLE ${db}.metrics MODIFY SETTING max_bytes_to_merge_at_max_space_in_pool = 1`,
  });
}

/**
 * Every stored event id with the number of raw rows holding it, read without FINAL (which would
 * collapse duplicates before they are counted). `where` filters the rows (SQL, with `params`).
 */
export async function rawIdCounts(
  client: ClickHouseClient,
  db: string,
  where = '1',
  params: Record<string, unknown> = {},
): Promise<{ event_id: string; n: string }[]> {
  const result = await client.query({
    query: `SELECT event_id, count() AS n FROM ${db}.metrics WHERE ${where} GROUP BY event_id`,
    query_params: params,
    format: 'JSONEachRow',
  });
  return result.json<{ event_id: string; n: string }>();
}

/** Raw rows and distinct event ids (no FINAL): their difference is the rows stored twice. */
export async function rawRowsAndIds(
  client: ClickHouseClient,
  db: string,
  where = '1',
  params: Record<string, unknown> = {},
): Promise<{ rows: number; ids: number }> {
  const result = await client.query({
    query: `SELECT count() AS rows, uniqExact(event_id) AS ids FROM ${db}.metrics WHERE ${where}`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ rows: string; ids: string }>();
  return { rows: Number(row!.rows), ids: Number(row!.ids) };
}
