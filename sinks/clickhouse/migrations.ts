import type { ClickHouseClient } from '@clickhouse/client';

export interface Migration {
  version: number;
  name: string;
  statements: (db: string) => string[];
}

/**
 * The schema, as ordered, append-only migrations. Each runs once per database and is recorded
 * in `schema_migrations`; statements are idempotent so an interrupted run can be repeated.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'raw metrics',
    statements: (db) => [
      `CREATE TABLE IF NOT EXISTS ${db}.metrics (
        event_id String CODEC(ZSTD(1)),
        host LowCardinality(String),
        ts DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
        metric LowCardinality(String),
        value Float64 CODEC(Gorilla, ZSTD(1)),
        unit LowCardinality(String),
        attributes Map(LowCardinality(String), String) CODEC(ZSTD(1))
      )
      ENGINE = ReplacingMergeTree
      PARTITION BY toDate(ts)
      ORDER BY (host, metric, ts, event_id)
      TTL toDateTime(ts) + INTERVAL 7 DAY
      SETTINGS non_replicated_deduplication_window = 1000`,
    ],
  },
];

/** Brings `db` up to the newest migration; returns the versions applied now. */
export async function migrate(client: ClickHouseClient, db: string): Promise<number[]> {
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (version UInt32, name String, applied_at DateTime DEFAULT now())
            ENGINE = ReplacingMergeTree ORDER BY version`,
  });
  const rows = await (
    await client.query({ query: `SELECT version FROM ${db}.schema_migrations FINAL`, format: 'JSONEachRow' })
  ).json<{ version: number }>();
  const done = new Set(rows.map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    for (const statement of m.statements(db)) await client.command({ query: statement });
    await client.insert({
      table: `${db}.schema_migrations`,
      values: [{ version: m.version, name: m.name }],
      format: 'JSONEachRow',
    });
    applied.push(m.version);
  }
  return applied;
}
