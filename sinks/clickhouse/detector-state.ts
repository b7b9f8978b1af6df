import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { SinkWriteError, errorMessage } from '../../core/errors';

export interface DetectorStateRow {
  series: string;
  host: string;
  state: string;
}

/**
 * Baselines encoded for their insert: their TabSeparated lines as UTF-8 bytes, and how many. Made
 * where the states are (the detection thread), which hands the bytes over without a copy (their
 * buffer is transferred): the thread that inserts them neither deserialises, flattens nor encodes
 * a few KB of state text per series, as it did with the same lines as one string.
 */
export interface EncodedStates {
  count: number;
  bytes: Uint8Array;
}

/** The columns of `detector_state` an encoded line holds, in order. */
const STATE_COLUMNS: [string, ...string[]] = ['series', 'host', 'state', 'updated_at'];

const TSV_SPECIAL = /[\\\t\n\r]/;
const TSV_SPECIALS = /[\\\t\n\r]/g;
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** `s` as a TabSeparated field: backslash, tab and line breaks escaped, the rest as it is. */
export const tsvField = (s: string): string =>
  TSV_SPECIAL.test(s) ? s.replace(TSV_SPECIALS, (c) => TSV_ESCAPES[c]!) : s;

/** `ms` as DateTime64(3) text in UTC (the column's time zone). */
const dateTime64 = (ms: number): string => new Date(ms).toISOString().slice(0, 23).replace('T', ' ');

/**
 * `rows` as their insert's lines, stamped `now` (a newer `updated_at` replaces the older row of a
 * series), in a buffer of its own (so it can be transferred).
 */
export function encodeDetectorStates(rows: readonly DetectorStateRow[], now: number): EncodedStates {
  const at = dateTime64(now);
  const lines = new Array<string>(rows.length);
  let size = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const line = `${tsvField(r.series)}\t${tsvField(r.host)}\t${tsvField(r.state)}\t${at}\n`;
    lines[i] = line;
    size += Buffer.byteLength(line);
  }
  const bytes = Buffer.allocUnsafeSlow(size);
  let offset = 0;
  for (const line of lines) offset += bytes.write(line, offset);
  return { count: rows.length, bytes };
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
      columns: STATE_COLUMNS,
      values: Readable.from([states.bytes], { objectMode: false }),
      format: 'TabSeparated',
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
