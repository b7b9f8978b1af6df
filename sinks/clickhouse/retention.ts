import type { ClickHouseClient } from '@clickhouse/client';
import { SINGLE_NODE, type Ddl } from './migrations/ddl';

export interface Retention {
  /** Raw samples (`metrics`) and process records (`processes`). */
  rawDays: number;
  /** 10 s and 1 min windows (`aggregates`, read through `metrics_10s` / `metrics_1m`). */
  aggregatesDays: number;
  /** The hourly rollup (`metrics_1h`). */
  hourlyDays: number;
}

const TTLS = (r: Retention): [table: string, time: string, days: number][] => [
  ['metrics', 'toDateTime(ts)', r.rawDays],
  ['processes', 'toDateTime(ts)', r.rawDays],
  ['aggregates', 'toDateTime(window_start)', r.aggregatesDays],
  ['metrics_1h_state', 'hour', r.hourlyDays],
  // What is left to seal: nothing once the hour's samples are gone.
  ['metrics_1h_arrivals', 'hour', r.rawDays],
  ['metrics_1h_seals', 'hour', r.rawDays],
];

/** The days of a table's TTL as ClickHouse shows it (`toIntervalDay(7)` or `INTERVAL 7 DAY`). */
export function ttlDays(createTableQuery: string): number | undefined {
  const m = /\bTTL\b[^\n]*?(?:toIntervalDay\((\d+)\)|INTERVAL (\d+) DAY)/i.exec(createTableQuery);
  return m ? Number(m[1] ?? m[2]) : undefined;
}

/**
 * Sets each table's TTL to the configured retention when it differs (a metadata change; parts
 * past the new limit go at the next merge; on a cluster, on every node). Returns the tables changed.
 */
export async function applyRetention(
  client: ClickHouseClient,
  db: string,
  r: Retention,
  ddl: Ddl = SINGLE_NODE,
): Promise<string[]> {
  const rs = await client.query({
    query: 'SELECT name, create_table_query FROM system.tables WHERE database = {db:String}',
    query_params: { db },
    format: 'JSONEachRow',
  });
  const current = new Map(
    (await rs.json<{ name: string; create_table_query: string }>()).map((t) => [
      t.name,
      t.create_table_query,
    ]),
  );
  const changed: string[] = [];
  for (const [table, time, days] of TTLS(r)) {
    const create = current.get(table);
    if (create === undefined || ttlDays(create) === days) continue;
    await client.command({
      query: `ALTER TABLE ${db}.${table}${ddl.on} MODIFY TTL ${time} + INTERVAL ${days} DAY`,
      clickhouse_settings: { materialize_ttl_after_modify: 0 },
    });
    changed.push(table);
  }
  return changed;
}
