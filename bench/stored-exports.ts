import fs from 'node:fs';
import path from 'node:path';
import type { ClickHouseClient } from '../sinks/clickhouse';

const SERIES = [
  ['host', 'LowCardinality(String)'],
  ['metric', 'LowCardinality(String)'],
  ['attributes', 'Map(LowCardinality(String), String)'],
];
/**
 * The columns the fleet bench's checks read (every row as stored, duplicates included), with
 * their types: a processor that stored nothing exports an empty file, which carries none.
 */
const TABLES = {
  metrics: [...SERIES, ['ts', "DateTime64(3, 'UTC')"], ['event_id', 'String']],
  aggregates: [
    ...SERIES,
    ['window', 'LowCardinality(String)'],
    ['window_start', "DateTime64(3, 'UTC')"],
    ['count', 'UInt64'],
  ],
} as const;
type Table = keyof typeof TABLES;

const names = (table: Table) => TABLES[table].map(([name]) => name).join(', ');
/** The structure as a ClickHouse string literal (the quotes in the types escaped). */
const structure = (table: Table) =>
  `'${TABLES[table].map((c) => c.join(' ').replaceAll("'", "\\'")).join(', ')}'`;

const fileOf = (dir: string, table: Table) => path.join(dir, `${table}.native.zst`);

/** A path as a ClickHouse string literal (the bench's own temporary folders; quotes refused). */
function literal(file: string): string {
  if (!path.isAbsolute(file) || /['\\]/.test(file)) throw new Error(`not a plain absolute path: ${file}`);
  return `'${file}'`;
}

/**
 * Writes the raw and aggregate rows of `database` into `dir` (replacing an earlier export), so
 * that another process can count them: the embedded engine binds one data folder per process, so
 * processors in one group each store into their own, and the bench reads their union.
 */
export async function exportStored(
  clickhouse: ClickHouseClient,
  database: string,
  dir: string,
): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (const table of Object.keys(TABLES) as Table[])
    await clickhouse.command({
      query: `INSERT INTO FUNCTION file(${literal(fileOf(dir, table))}, 'Native')
              SELECT ${names(table)} FROM ${database}.${table}`,
      clickhouse_settings: { engine_file_truncate_on_insert: 1 },
    });
}

/**
 * Creates `database` with views `metrics` and `aggregates` over the exports in `dirs` together
 * (their union, every row as exported), read afresh by every query.
 */
export async function attachExports(
  clickhouse: ClickHouseClient,
  database: string,
  dirs: string[],
): Promise<void> {
  await clickhouse.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  for (const table of Object.keys(TABLES) as Table[]) {
    const union = dirs.map(
      (dir) => `SELECT * FROM file(${literal(fileOf(dir, table))}, 'Native', ${structure(table)})`,
    );
    await clickhouse.command({
      query: `CREATE OR REPLACE VIEW ${database}.${table} AS ${union.join(' UNION ALL ')}`,
    });
  }
}

/** Raw rows and distinct samples (event ids) in `database.metrics`. */
export async function storedCounts(
  clickhouse: ClickHouseClient,
  database: string,
): Promise<{ rows: number; distinct: number }> {
  const rs = await clickhouse.query({
    query: `SELECT count() AS rows, uniqExact(event_id) AS distinct FROM ${database}.metrics`,
    format: 'JSONEachRow',
  });
  const row = (await rs.json<{ rows: string; distinct: string }>())[0]!;
  return { rows: Number(row.rows), distinct: Number(row.distinct) };
}
