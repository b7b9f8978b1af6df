import type { ClickHouseClient } from '@clickhouse/client';
import { SinkWriteError, errorMessage } from '../../core/errors';
import { EncodedRows } from './row-run';

export interface DetectorStateRow {
  series: string;
  host: string;
  state: string;
}

/**
 * Baselines encoded for their insert: their JSONEachRow lines as one text, and how many. Made
 * where the states are (the detection thread), so the thread that inserts them gets one string
 * per insert: a snapshot of 100 000 series is ~330 MB of state text, which crossed to the main
 * thread as a string per state and per name (young objects that lived through the insert) and
 * was joined into lines there, about a fifth of everything the processor's main thread allocated
 * in the fleet bench.
 */
export interface EncodedStates {
  count: number;
  text: string;
}

/** `rows` as their insert's lines (a newer `updated_at` replaces the older row of a series). */
export function encodeDetectorStates(rows: readonly DetectorStateRow[], now: number): EncodedStates {
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    // A state is JSON text of an object (`encodeState`): written as that object, not escaped into
    // a string (the engine reads an object into a String column as its text). Any other text
    // goes as a string.
    const state = r.state.startsWith('{') ? r.state : JSON.stringify(r.state);
    lines[i] =
      `{"series":${JSON.stringify(r.series)},"host":${JSON.stringify(r.host)},"state":${state},"updated_at":${now}}`;
  }
  return { count: rows.length, text: lines.join('\n') };
}

/** Saves baselines encoded by `encodeDetectorStates`. */
export async function saveEncodedStates(
  client: ClickHouseClient,
  db: string,
  states: EncodedStates,
): Promise<void> {
  if (states.count === 0) return;
  try {
    await client.insert({
      table: `${db}.detector_state`,
      values: [new EncodedRows(states.text, states.count)],
      format: 'JSONEachRow',
      clickhouse_settings: { input_format_json_read_objects_as_strings: 1 },
    });
  } catch (err) {
    throw new SinkWriteError(`saving ${states.count} detector states failed: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

/** Saves series baselines (a newer `updated_at` replaces the older row of a series). */
export function saveDetectorStates(
  client: ClickHouseClient,
  db: string,
  rows: readonly DetectorStateRow[],
  now: number,
): Promise<void> {
  return saveEncodedStates(client, db, encodeDetectorStates(rows, now));
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
