import type { Migration } from './migration';

export const windowedAggregates: Migration = {
  version: 2,
  name: 'windowed aggregates',
  statements: (db, ddl) => [
    // One row per series, window size and window start. A re-emitted window (after a crash or a
    // rebalance) has the same key; the version (its count) keeps the most complete one.
    `CREATE TABLE IF NOT EXISTS ${db}.aggregates${ddl.on} (
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
      ${ddl.engine('ReplacingMergeTree', 'count')}
      PARTITION BY toYYYYMM(window_start)
      ORDER BY (window, host, metric, series_id, window_start)
      TTL toDateTime(window_start) + INTERVAL 30 DAY
      SETTINGS non_replicated_deduplication_window = 1000`,
    ...['10s', '1m'].map(
      (w) => `CREATE VIEW IF NOT EXISTS ${db}.metrics_${w}${ddl.on} AS
          SELECT host, metric, unit, attributes, window_start, count, sum, min, max, mean, last, p50, p95, p99
          FROM ${db}.aggregates FINAL WHERE window = '${w}'`,
    ),
  ],
};
