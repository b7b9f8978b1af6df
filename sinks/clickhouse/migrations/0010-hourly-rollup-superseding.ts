import type { ClickHouseClient } from '@clickhouse/client';
import type { Ddl } from './ddl';
import type { Migration } from './migration';

/** Per minute of the hour, what its 1-minute window said; the version is the window's count. */
const MINUTE = `Tuple(UInt64, Float64, Float64, Float64, Float64, Float64, Float64, Float64)`;
const NONE = `(toUInt64(0), 0., 0., 0., 0., 0., 0., 0.)`;
const QUANTILES = 'quantilesTDigest(0.5, 0.95, 0.99)';

const table = (db: string, ddl: Ddl) => `CREATE TABLE IF NOT EXISTS ${db}.metrics_1h_state${ddl.on} (
    metric LowCardinality(String),
    host LowCardinality(String),
    series_id UInt64,
    hour DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    unit SimpleAggregateFunction(any, String),
    attributes SimpleAggregateFunction(any, Map(String, String)),
    minutes AggregateFunction(argMaxForEach, Array(${MINUTE}), Array(UInt64)),
    quantiles AggregateFunction(${QUANTILES}, Float64)
  )
  ${ddl.engine('AggregatingMergeTree')}
  PARTITION BY toYYYYMM(hour)
  ORDER BY (metric, host, series_id, hour)
  TTL hour + INTERVAL 365 DAY`;

/** One array slot per minute up to `minute`: the window's values there, nothing (version 0) before. */
const minuteState = (minute: string, values: string, count: string) =>
  `argMaxForEachState(
     arrayMap(i -> if(i = ${minute}, ${values}, ${NONE}), range(toUInt64(${minute}) + 1)),
     arrayMap(i -> if(i = ${minute}, toUInt64(${count}), toUInt64(0)), range(toUInt64(${minute}) + 1)))`;

const fromWindows = (db: string) => `
  SELECT metric, host, series_id, toStartOfHour(window_start) AS hour, any(unit) AS unit,
    any(attributes) AS attributes,
    ${minuteState('toMinute(window_start)', '(count, sum, min, max, last, p50, p95, p99)', 'count')} AS minutes
  FROM ${db}.aggregates WHERE window = '1m'
  GROUP BY metric, host, series_id, hour`;

const fromSamples = (db: string, final = '') => `
  SELECT metric, host, series_id, toStartOfHour(ts) AS hour, any(unit) AS unit, any(attrs) AS attributes,
    ${QUANTILES.replace('quantilesTDigest', 'quantilesTDigestState')}(value) AS quantiles
  FROM (
    SELECT metric, host, cityHash64(host, metric, toString(attributes)) AS series_id, attributes AS attrs,
      ts, value, unit
    FROM ${db}.metrics ${final}
  )
  GROUP BY metric, host, series_id, hour`;

/** Hours rolled up by version 6 (per-minute maxMap states) that the 1-minute windows no longer hold. */
const fromVersion6 = (db: string) => `
  SELECT metric, host, series_id, hour, any(unit) AS unit, any(attributes) AS attributes,
    ${minuteState('k', '(m.2[j], m.3[j], m.4[j], m.5[j], m.6[j], m.7[j], m.8[j], m.9[j])', 'm.2[j]')} AS minutes
  FROM (
    SELECT metric, host, series_id, hour, any(unit) AS unit, any(attributes) AS attributes,
      maxMapMerge(minutes) AS m
    FROM ${db}.metrics_1h_state_v6 GROUP BY metric, host, series_id, hour
  )
  ARRAY JOIN m.1 AS k, arrayEnumerate(m.1) AS j
  WHERE hour < (SELECT if(count() = 0, toDateTime('2106-01-01 00:00:00', 'UTC'),
                          min(toStartOfHour(window_start))) FROM ${db}.aggregates WHERE window = '1m')
  GROUP BY metric, host, series_id, hour`;

async function count(client: ClickHouseClient, query: string): Promise<number> {
  const rs = await client.query({ query, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string }>())[0]?.n ?? 0);
}

/**
 * `metrics_1h` v2. Version 6 kept per minute the largest of each column over the window's
 * emissions (`maxMap`), which double counted nothing but could not follow a corrected window
 * (a late sample lowers its min, may lower its sum) and gave percentiles of percentiles. Now each
 * minute keeps the emission with the largest count (`argMaxForEach`): a re-emitted window ties,
 * a corrected one supersedes. The hour's p50/p95/p99 come from a t-digest of its raw samples (a
 * second materialized view on `metrics`); an hour without one (rolled up before this version, or
 * windows written without their samples) falls back to the minutes' count-weighted percentiles.
 * The version-6 table stays as `metrics_1h_state_v6` (its hours are converted; drop it at will).
 */
export const hourlyRollupSuperseding: Migration = {
  version: 10,
  name: 'hourly rollup: corrected minutes supersede, percentiles from the hour’s samples',
  statements: () => [],
  run: async (client, db, ddl) => {
    const exec = (query: string) => client.command({ query });
    await exec(`DROP VIEW IF EXISTS ${db}.metrics_1h_mv${ddl.on}`);
    const v6 = await count(
      client,
      `SELECT count() AS n FROM system.columns WHERE database = '${db}' AND table = 'metrics_1h_state'
         AND name = 'minutes' AND type LIKE '%maxMap%'`,
    );
    if (v6 > 0) await exec(`RENAME TABLE ${db}.metrics_1h_state TO ${db}.metrics_1h_state_v6${ddl.on}`);
    await exec(table(db, ddl));
    const columns = '(metric, host, series_id, hour, unit, attributes, minutes)';
    await exec(`INSERT INTO ${db}.metrics_1h_state ${columns} ${fromWindows(db)}`);
    const hasV6 = await count(
      client,
      `SELECT count() AS n FROM system.tables WHERE database = '${db}' AND name = 'metrics_1h_state_v6'`,
    );
    if (hasV6 > 0) await exec(`INSERT INTO ${db}.metrics_1h_state ${columns} ${fromVersion6(db)}`);
    // Minutes are idempotent (the largest count wins); samples are added once, on the first run.
    const digested = await count(
      client,
      `SELECT count() AS n FROM (SELECT ${QUANTILES.replace('quantilesTDigest', 'quantilesTDigestMerge')}(quantiles) AS q
         FROM ${db}.metrics_1h_state) WHERE NOT isNaN(q[1])`,
    );
    if (digested === 0)
      await exec(
        `INSERT INTO ${db}.metrics_1h_state (metric, host, series_id, hour, unit, attributes, quantiles) ${fromSamples(db, 'FINAL')}`,
      );
    await exec(
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.metrics_1h_minutes_mv${ddl.on} TO ${db}.metrics_1h_state ${columns} AS ${fromWindows(db)}`,
    );
    await exec(
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.metrics_1h_samples_mv${ddl.on} TO ${db}.metrics_1h_state
         (metric, host, series_id, hour, unit, attributes, quantiles) AS ${fromSamples(db)}`,
    );
    await exec(`DROP VIEW IF EXISTS ${db}.metrics_1h${ddl.on}`);
    await exec(`CREATE VIEW ${db}.metrics_1h${ddl.on} AS
      SELECT host, metric, unit, attributes, hour,
        arraySum(x -> x.1, m) AS count, arraySum(x -> x.2, m) AS sum,
        arrayMin(x -> x.3, m) AS min, arrayMax(x -> x.4, m) AS max,
        arraySum(x -> x.2, m) / arraySum(x -> x.1, m) AS mean, m[-1].5 AS last,
        if(isNaN(q[1]), arrayReduce('quantileExactWeighted(0.5)', arrayMap(x -> x.6, m), arrayMap(x -> x.1, m)), q[1]) AS p50,
        if(isNaN(q[2]), arrayReduce('quantileExactWeighted(0.95)', arrayMap(x -> x.7, m), arrayMap(x -> x.1, m)), q[2]) AS p95,
        if(isNaN(q[3]), arrayReduce('quantileExactWeighted(0.99)', arrayMap(x -> x.8, m), arrayMap(x -> x.1, m)), q[3]) AS p99
      FROM (
        SELECT metric, host, series_id, hour, any(unit) AS unit, any(attributes) AS attributes,
          arrayFilter(x -> x.1 > 0, argMaxForEachMerge(minutes)) AS m,
          ${QUANTILES.replace('quantilesTDigest', 'quantilesTDigestMerge')}(quantiles) AS q
        FROM ${db}.metrics_1h_state
        GROUP BY metric, host, series_id, hour
      )
      WHERE length(m) > 0`);
  },
};
