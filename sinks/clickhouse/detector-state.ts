import type { ClickHouseClient } from '@clickhouse/client';
import { SinkWriteError, errorMessage } from '../../core/errors';

export interface DetectorStateRow {
  series: string;
  host: string;
  state: string;
}

/** Saves series baselines (a newer `updated_at` replaces the older row of a series). */
export async function saveDetectorStates(
  client: ClickHouseClient,
  db: string,
  rows: readonly DetectorStateRow[],
  now: number,
): Promise<void> {
  if (rows.length === 0) return;
  try {
    await client.insert({
      table: `${db}.detector_state`,
      values: rows.map((r) => ({ ...r, updated_at: now })),
      format: 'JSONEachRow',
    });
  } catch (err) {
    throw new SinkWriteError(`saving ${rows.length} detector states failed: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

/** The newest saved baseline of up to `limit` series, most recently updated first. */
export async function loadDetectorStates(
  client: ClickHouseClient,
  db: string,
  limit: number,
): Promise<DetectorStateRow[]> {
  const result = await client.query({
    query: `SELECT series, argMax(host, updated_at) AS host, argMax(state, updated_at) AS state
            FROM ${db}.detector_state GROUP BY series
            ORDER BY max(updated_at) DESC LIMIT {limit:UInt32}`,
    query_params: { limit },
    format: 'JSONEachRow',
  });
  return result.json<DetectorStateRow>();
}
