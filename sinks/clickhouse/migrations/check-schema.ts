import type { ClickHouseClient } from '@clickhouse/client';
import { TidewatchError } from '../../../core/errors';

/**
 * What the pipeline writes and the gateway, dashboard and documented queries read. With
 * `clickhouse.manageSchema: false` these must exist (tables or views) before Tidewatch starts; a
 * migration that adds a table people or the code rely on adds it here.
 */
export const REQUIRED_TABLES: readonly string[] = [
  'metrics',
  'aggregates',
  'metrics_10s',
  'metrics_1m',
  'metrics_1h_state',
  'metrics_1h',
  'metrics_1h_arrivals',
  'metrics_1h_seals',
  'anomaly_states',
  'anomalies',
  'detector_state',
  'host_inventory',
  'host_activity',
  'hosts',
  'host_labels',
  'processes',
];

/**
 * For a schema managed by a DBA: runs no DDL, only checks that `db` holds every required table;
 * throws naming what is missing.
 */
export async function checkSchema(
  client: ClickHouseClient,
  db: string,
  required: readonly string[] = REQUIRED_TABLES,
): Promise<void> {
  const rs = await client.query({
    query: 'SELECT name FROM system.tables WHERE database = {db:String} AND name IN {names:Array(String)}',
    query_params: { db, names: [...required] },
    format: 'JSONEachRow',
  });
  const present = new Set((await rs.json<{ name: string }>()).map((r) => r.name));
  const missing = required.filter((t) => !present.has(t));
  if (missing.length === 0) return;
  throw new TidewatchError(
    'TW_ERR_CLICKHOUSE_SCHEMA',
    `clickhouse.manageSchema is false (CLICKHOUSE_MANAGE_SCHEMA) and database ${db} lacks ${missing
      .map((t) => `${db}.${t}`)
      .join(
        ', ',
      )}: create ${missing.length === 1 ? 'it' : 'them'} (docs/clickhouse-cluster.md) or let Tidewatch manage the schema`,
  );
}
