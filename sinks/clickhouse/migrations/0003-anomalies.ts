import type { Migration } from './migration';

export const anomaliesAndDetectorState: Migration = {
  version: 3,
  name: 'anomalies and detector state',
  statements: (db, ddl) => [
    // One row per incident state; the highest version is the incident as it stands.
    `CREATE TABLE IF NOT EXISTS ${db}.anomaly_states${ddl.on} (
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
      ${ddl.engine('ReplacingMergeTree', 'version')}
      PARTITION BY toYYYYMM(started_at)
      ORDER BY (host, id)
      TTL toDateTime(started_at) + INTERVAL 90 DAY
      SETTINGS non_replicated_deduplication_window = 1000`,
    `CREATE VIEW IF NOT EXISTS ${db}.anomalies${ddl.on} AS
        SELECT * FROM ${db}.anomaly_states FINAL`,
    // Each series' detector baseline, snapshotted so a restart or rebalance does not start cold.
    `CREATE TABLE IF NOT EXISTS ${db}.detector_state${ddl.on} (
        series String,
        host LowCardinality(String),
        state String CODEC(ZSTD(3)),
        updated_at DateTime64(3, 'UTC')
      )
      ${ddl.engine('ReplacingMergeTree', 'updated_at')}
      ORDER BY series
      TTL toDateTime(updated_at) + INTERVAL 7 DAY`,
  ],
};
