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
  {
    version: 2,
    name: 'windowed aggregates',
    statements: (db) => [
      // One row per series, window size and window start. A re-emitted window (after a crash or a
      // rebalance) has the same key; the version (its count) keeps the most complete one.
      `CREATE TABLE IF NOT EXISTS ${db}.aggregates (
        window LowCardinality(String),
        host LowCardinality(String),
        metric LowCardinality(String),
        unit LowCardinality(String),
        attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
        series_id UInt64 MATERIALIZED cityHash64(host, metric, toString(attributes)),
        window_start DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
        count UInt64,
        sum Float64 CODEC(Gorilla, ZSTD(1)),
        min Float64 CODEC(Gorilla, ZSTD(1)),
        max Float64 CODEC(Gorilla, ZSTD(1)),
        mean Float64 CODEC(Gorilla, ZSTD(1)),
        last Float64 CODEC(Gorilla, ZSTD(1)),
        p50 Float64 CODEC(Gorilla, ZSTD(1)),
        p95 Float64 CODEC(Gorilla, ZSTD(1)),
        p99 Float64 CODEC(Gorilla, ZSTD(1))
      )
      ENGINE = ReplacingMergeTree(count)
      PARTITION BY toYYYYMM(window_start)
      ORDER BY (window, host, metric, series_id, window_start)
      TTL toDateTime(window_start) + INTERVAL 30 DAY
      SETTINGS non_replicated_deduplication_window = 1000`,
      ...['10s', '1m'].map(
        (w) => `CREATE VIEW IF NOT EXISTS ${db}.metrics_${w} AS
          SELECT host, metric, unit, attributes, window_start, count, sum, min, max, mean, last, p50, p95, p99
          FROM ${db}.aggregates FINAL WHERE window = '${w}'`,
      ),
    ],
  },
  {
    version: 3,
    name: 'anomalies and detector state',
    statements: (db) => [
      // One row per incident state; the highest version is the incident as it stands.
      `CREATE TABLE IF NOT EXISTS ${db}.anomaly_states (
        id String,
        group_id String,
        status Enum8('open' = 1, 'closed' = 2),
        version UInt32,
        host LowCardinality(String),
        metric LowCardinality(String),
        unit LowCardinality(String),
        attributes Map(String, String) CODEC(ZSTD(1)),
        ts DateTime64(3, 'UTC'),
        started_at DateTime64(3, 'UTC'),
        ended_at Nullable(DateTime64(3, 'UTC')),
        value Float64,
        expected Float64,
        lower Float64,
        upper Float64,
        score Float64,
        severity Enum8('warning' = 1, 'critical' = 2),
        detector LowCardinality(String),
        reason String CODEC(ZSTD(1)),
        samples UInt64
      )
      ENGINE = ReplacingMergeTree(version)
      PARTITION BY toYYYYMM(started_at)
      ORDER BY (host, id)
      TTL toDateTime(started_at) + INTERVAL 90 DAY
      SETTINGS non_replicated_deduplication_window = 1000`,
      `CREATE VIEW IF NOT EXISTS ${db}.anomalies AS
        SELECT * FROM ${db}.anomaly_states FINAL`,
      // Each series' detector baseline, snapshotted so a restart or rebalance does not start cold.
      `CREATE TABLE IF NOT EXISTS ${db}.detector_state (
        series String,
        host LowCardinality(String),
        state String CODEC(ZSTD(3)),
        updated_at DateTime64(3, 'UTC')
      )
      ENGINE = ReplacingMergeTree(updated_at)
      ORDER BY series
      TTL toDateTime(updated_at) + INTERVAL 7 DAY`,
    ],
  },
  {
    version: 4,
    name: 'plain map keys for raw attributes',
    statements: (db) => [
      // LowCardinality keys inside a Map made raw inserts about three times slower; ZSTD already
      // compresses the repeated keys. A mutation rewrites existing parts once.
      `ALTER TABLE ${db}.metrics MODIFY COLUMN attributes Map(String, String) CODEC(ZSTD(1))`,
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
