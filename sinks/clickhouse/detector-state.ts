import type { ClickHouseClient } from '@clickhouse/client';
import { SinkWriteError, errorMessage } from '../../core/errors';
import { EncodedRows } from './row-run';

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
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    // A state is JSON text of an object (`encodeState`): written as that object, not escaped into
    // a string (the engine reads an object into a String column as its text), which was most of
    // what a snapshot allocated on this thread. Any other text goes as a string.
    const state = r.state.startsWith('{') ? r.state : JSON.stringify(r.state);
    lines[i] =
      `{"series":${JSON.stringify(r.series)},"host":${JSON.stringify(r.host)},"state":${state},"updated_at":${now}}`;
  }
  try {
    await client.insert({
      table: `${db}.detector_state`,
      values: [new EncodedRows(lines.join('\n'), rows.length)],
      format: 'JSONEachRow',
      clickhouse_settings: { input_format_json_read_objects_as_strings: 1 },
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
