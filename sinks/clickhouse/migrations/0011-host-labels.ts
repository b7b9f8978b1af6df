import type { Migration } from './migration';

const latestLabels = (db: string) => `
  SELECT host, max(ts) AS updated_at, argMax(labels, ts) AS labels FROM ${db}.metrics GROUP BY host`;

/**
 * Host labels (the agent's `agent.labels`: env, region, role…). Every raw sample carries its
 * host's labels in `metrics.labels` (plain String keys, as for attributes: LowCardinality keys in
 * a Map made raw inserts about three times slower, and ZSTD compresses a host's repeated labels to
 * almost nothing); samples from older agents have none. `host_labels` keeps each host's latest
 * labels: one row per host and insert (as `host_activity` does), read by latest time
 * (`argMax(labels, updated_at)`), which a re-delivered sample cannot change.
 */
export const hostLabels: Migration = {
  version: 11,
  name: 'host labels',
  statements: (db, ddl) => [
    `ALTER TABLE ${db}.metrics${ddl.on} ADD COLUMN IF NOT EXISTS labels Map(String, String) CODEC(ZSTD(1))`,
    `CREATE TABLE IF NOT EXISTS ${db}.host_labels${ddl.on} (
      host LowCardinality(String),
      updated_at DateTime64(3, 'UTC'),
      labels Map(String, String)
    )
    ${ddl.engine('ReplacingMergeTree', 'updated_at')}
    ORDER BY host`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.host_labels_mv${ddl.on} TO ${db}.host_labels AS ${latestLabels(db)}`,
  ],
};
