import type { Migration } from './migration';

/** Inventory attribute → typed column of `host_inventory`. */
const INVENTORY: [column: string, type: string, expr: string][] = [
  ['os_type', 'LowCardinality(String)', `attributes['os.type']`],
  ['os_description', 'String', `attributes['os.description']`],
  ['os_version', 'String', `attributes['os.version']`],
  ['arch', 'LowCardinality(String)', `attributes['host.arch']`],
  ['cpu_model', 'String', `attributes['host.cpu.model.name']`],
  ['cpu_cores', 'UInt32', `toUInt32OrZero(attributes['host.cpu.cores'])`],
  ['memory_total', 'UInt64', `toUInt64OrZero(attributes['host.memory.total'])`],
  ['boot_time', `DateTime('UTC')`, `parseDateTimeBestEffortOrZero(attributes['host.boot.time'], 'UTC')`],
];

const inventory = (db: string) => `
  SELECT host, ts AS updated_at, ${INVENTORY.map(([c, , e]) => `${e} AS ${c}`).join(', ')}
  FROM ${db}.metrics WHERE metric = 'tidewatch.host.info'`;

const activity = (db: string) =>
  `SELECT host, min(ts) AS first_seen, max(ts) AS last_seen FROM ${db}.metrics GROUP BY host`;

/**
 * `hosts`: one row per host, its latest inventory (the agent's `tidewatch.host.info` sample, sent
 * at start and on change) and when it was first and last heard from. Both are kept by
 * materialized views on the raw table, with states that a re-delivered sample cannot change
 * (latest by time; min and max).
 */
export const hosts: Migration = {
  version: 7,
  name: 'host inventory and activity',
  statements: (db, ddl) => [
    `CREATE TABLE IF NOT EXISTS ${db}.host_inventory${ddl.on} (
      host LowCardinality(String),
      updated_at DateTime64(3, 'UTC'),
      ${INVENTORY.map(([c, t]) => `${c} ${t}`).join(',\n      ')}
    )
    ${ddl.engine('ReplacingMergeTree', 'updated_at')}
    ORDER BY host`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.host_inventory_mv${ddl.on} TO ${db}.host_inventory AS ${inventory(db)}`,
    `CREATE TABLE IF NOT EXISTS ${db}.host_activity${ddl.on} (
      host LowCardinality(String),
      first_seen SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
      last_seen SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
    )
    ${ddl.engine('AggregatingMergeTree')}
    ORDER BY host`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.host_activity_mv${ddl.on} TO ${db}.host_activity AS ${activity(db)}`,
    // What the raw table held before this migration; a repeated run changes nothing (latest by
    // time, min and max).
    `INSERT INTO ${db}.host_inventory ${inventory(db)}`,
    `INSERT INTO ${db}.host_activity ${activity(db)}`,
    `CREATE VIEW IF NOT EXISTS ${db}.hosts${ddl.on} AS
      SELECT a.host AS host, a.first_seen AS first_seen, a.last_seen AS last_seen,
        ${INVENTORY.map(([c]) => `i.${c} AS ${c}`).join(', ')}, i.updated_at AS inventory_at
      FROM (SELECT host, min(first_seen) AS first_seen, max(last_seen) AS last_seen
            FROM ${db}.host_activity GROUP BY host) AS a
      LEFT JOIN (SELECT host, max(updated_at) AS updated_at,
                   ${INVENTORY.map(([c]) => `argMax(${c}, host_inventory.updated_at) AS ${c}`).join(', ')}
                 FROM ${db}.host_inventory GROUP BY host) AS i ON i.host = a.host`,
  ],
};
