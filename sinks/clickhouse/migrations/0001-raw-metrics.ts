import type { Migration } from './migration';

export const rawMetrics: Migration = {
  version: 1,
  name: 'raw metrics',
  statements: (db, ddl) => [
    `CREATE TABLE IF NOT EXISTS ${db}.metrics${ddl.on} (
        event_id String CODEC(ZSTD(1)),
        host LowCardinality(String),
        ts DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
        metric LowCardinality(String),
        value Float64 CODEC(Gorilla, ZSTD(1)),
        unit LowCardinality(String),
        attributes Map(LowCardinality(String), String) CODEC(ZSTD(1))
      )
      ${ddl.engine('ReplacingMergeTree')}
      PARTITION BY toDate(ts)
      ORDER BY (host, metric, ts, event_id)
      TTL toDateTime(ts) + INTERVAL 7 DAY
      SETTINGS non_replicated_deduplication_window = 1000`,
  ],
};
