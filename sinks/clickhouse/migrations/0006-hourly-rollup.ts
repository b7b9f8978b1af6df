import type { Migration } from './migration';

const PER_MINUTE = ['count', 'sum', 'min', 'max', 'last', 'p50', 'p95', 'p99'] as const;

const rollup = (db: string) => `
  SELECT metric, host, series_id, toStartOfHour(window_start) AS hour,
    any(unit) AS unit, any(attributes) AS attributes,
    maxMapState([toUInt8(toMinute(window_start))], ${PER_MINUTE.map((c) => `[${c}]`).join(', ')}) AS minutes
  FROM ${db}.aggregates WHERE window = '1m'
  GROUP BY metric, host, series_id, hour`;

/**
 * `metrics_1h`, rolled up in ClickHouse from the processor's 1-minute windows by a materialized
 * view into an AggregatingMergeTree. The state per series and hour is a `maxMap` keyed by the
 * minute of the hour: a window inserted twice (a re-emission after a crash or a rebalance) lands
 * on the same key with the same values, so the rollup never counts it twice, which sum/quantile
 * states could not promise. The `metrics_1h` view merges the states: count, sum, min, max, mean
 * and last are exact; p50/p95/p99 are the count-weighted median, 95th and 99th percentile of the
 * minutes' own p50/p95/p99 (p95 reads "95 % of the hour's samples fell in minutes whose p95 was
 * at most this").
 */
export const hourlyRollup: Migration = {
  version: 6,
  name: 'hourly rollup of the 1-minute windows',
  statements: (db, ddl) => [
    `CREATE TABLE IF NOT EXISTS ${db}.metrics_1h_state${ddl.on} (
      metric LowCardinality(String),
      host LowCardinality(String),
      series_id UInt64,
      hour DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
      unit SimpleAggregateFunction(any, String),
      attributes SimpleAggregateFunction(any, Map(String, String)),
      minutes AggregateFunction(maxMap, Array(UInt8), Array(UInt64), ${Array(PER_MINUTE.length - 1)
        .fill('Array(Float64)')
        .join(', ')})
    )
    ${ddl.engine('AggregatingMergeTree')}
    PARTITION BY toYYYYMM(hour)
    ORDER BY (metric, host, series_id, hour)
    TTL hour + INTERVAL 365 DAY`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.metrics_1h_mv${ddl.on} TO ${db}.metrics_1h_state AS ${rollup(db)}`,
    // The windows stored before this migration; a repeated run adds nothing (the states are maxMaps).
    `INSERT INTO ${db}.metrics_1h_state ${rollup(db)}`,
    `CREATE VIEW IF NOT EXISTS ${db}.metrics_1h${ddl.on} AS
      SELECT host, metric, unit, attributes, hour,
        arraySum(m.2) AS count, arraySum(m.3) AS sum, arrayMin(m.4) AS min, arrayMax(m.5) AS max,
        arraySum(m.3) / arraySum(m.2) AS mean, m.6[-1] AS last,
        arrayReduce('quantileExactWeighted(0.5)', m.7, m.2) AS p50,
        arrayReduce('quantileExactWeighted(0.95)', m.8, m.2) AS p95,
        arrayReduce('quantileExactWeighted(0.99)', m.9, m.2) AS p99
      FROM (
        SELECT metric, host, series_id, hour, any(unit) AS unit, any(attributes) AS attributes,
          maxMapMerge(minutes) AS m
        FROM ${db}.metrics_1h_state
        GROUP BY metric, host, series_id, hour
      )`,
  ],
};
