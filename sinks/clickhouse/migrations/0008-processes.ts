import type { Migration } from './migration';

/** `processes`: the agent's process records (top-N snapshots, start and exit events), one row each. */
export const processes: Migration = {
  version: 8,
  name: 'processes',
  statements: (db, ddl) => [
    `CREATE TABLE IF NOT EXISTS ${db}.processes${ddl.on} (
      host LowCardinality(String),
      ts DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
      kind Enum8('snapshot' = 1, 'start' = 2, 'exit' = 3),
      pid UInt32,
      ppid UInt32,
      name LowCardinality(String),
      command String CODEC(ZSTD(3)),
      user LowCardinality(String),
      cpu Float64 CODEC(Gorilla, ZSTD(1)),
      rss UInt64 CODEC(T64, ZSTD(1)),
      state LowCardinality(String),
      start_time DateTime64(3, 'UTC') CODEC(ZSTD(1)),
      rank_cpu UInt16,
      rank_memory UInt16,
      event_id String CODEC(ZSTD(3))
    )
    ${ddl.engine('ReplacingMergeTree')}
    PARTITION BY toDate(ts)
    ORDER BY (host, ts, kind, pid, event_id)
    TTL toDateTime(ts) + INTERVAL 7 DAY
    SETTINGS non_replicated_deduplication_window = 1000`,
  ],
};
