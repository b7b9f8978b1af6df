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

/**
 * Series whose baselines are read in one query: their ids travel as a query parameter (in the URL
 * to a server, whose limit is 1 MiB by default), and their states are the largest part of a read.
 */
export const LOAD_SERIES_AT_ONCE = 1_000;

/**
 * The newest saved baseline of up to `limit` series, most recently updated first, handed to `take`
 * `chunk` series at a time: the series are listed first, then their states read by primary key a
 * chunk at a time, so a processor starting with 300 000 saved baselines never holds them all at
 * once as text, rows and copies for the detection thread.
 */
export async function loadDetectorStates(
  client: ClickHouseClient,
  db: string,
  limit: number,
  take: (rows: DetectorStateRow[]) => void | Promise<void>,
  chunk = LOAD_SERIES_AT_ONCE,
): Promise<void> {
  const listed = await client.query({
    query: `SELECT series FROM ${db}.detector_state GROUP BY series
            ORDER BY max(updated_at) DESC LIMIT {limit:UInt32}`,
    query_params: { limit },
    format: 'JSONCompactEachRow',
  });
  const series = (await listed.json<[string]>()).map((r) => r[0]);
  for (let i = 0; i < series.length; i += chunk) {
    const result = await client.query({
      query: `SELECT series, argMax(host, updated_at) AS host, argMax(state, updated_at) AS state
              FROM ${db}.detector_state WHERE series IN {series:Array(String)} GROUP BY series
              ORDER BY max(updated_at) DESC`,
      query_params: { series: series.slice(i, i + chunk) },
      format: 'JSONEachRow',
    });
    await take(await result.json<DetectorStateRow>());
  }
}
