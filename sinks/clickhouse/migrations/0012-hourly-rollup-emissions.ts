import type { ClickHouseClient } from '@clickhouse/client';
import type { Ddl } from './ddl';
import type { Migration } from './migration';

/**
 * Emissions of a series' hour kept at most: ten a minute on average, where one is usual (a window
 * is emitted again only when a late sample corrects it or a re-delivery repeats it).
 */
export const HOURLY_EMISSIONS_MAX = 600;
/** One 1-minute window's emission: its minute of the hour, then count, sum, min, max, last, p50, p95, p99. */
const EMISSION = `Tuple(UInt8, UInt64, Float64, Float64, Float64, Float64, Float64, Float64, Float64)`;
const EMISSIONS = `groupArray(${HOURLY_EMISSIONS_MAX})`;
const QUANTILES = 'quantilesTDigest(0.5, 0.95, 0.99)';

const table = (db: string, ddl: Ddl) => `CREATE TABLE IF NOT EXISTS ${db}.metrics_1h_state${ddl.on} (
    metric LowCardinality(String),
    host LowCardinality(String),
    series_id UInt64,
    hour DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    unit SimpleAggregateFunction(any, String),
    attributes SimpleAggregateFunction(any, Map(String, String)),
    minutes AggregateFunction(${EMISSIONS}, ${EMISSION}),
    quantiles AggregateFunction(${QUANTILES}, Float64)
  )
  ${ddl.engine('AggregatingMergeTree')}
  PARTITION BY toYYYYMM(hour)
  ORDER BY (metric, host, series_id, hour)
  TTL hour + INTERVAL 365 DAY`;

const fromWindows = (db: string) => `
  SELECT metric, host, series_id, toStartOfHour(window_start) AS hour, any(unit) AS unit,
    any(attributes) AS attributes,
    ${EMISSIONS.replace('groupArray', 'groupArrayState')}(
      (toUInt8(toMinute(window_start)), count, sum, min, max, last, p50, p95, p99)) AS minutes
  FROM ${db}.aggregates WHERE window = '1m'
  GROUP BY metric, host, series_id, hour`;

const fromSamples = (db: string) => `
  SELECT metric, host, series_id, toStartOfHour(ts) AS hour, any(unit) AS unit, any(attrs) AS attributes,
    ${QUANTILES.replace('quantilesTDigest', 'quantilesTDigestState')}(value) AS quantiles
  FROM (
    SELECT metric, host, cityHash64(host, metric, toString(attributes)) AS series_id, attributes AS attrs,
      ts, value, unit
    FROM ${db}.metrics
  )
  GROUP BY metric, host, series_id, hour`;

/** Hours rolled up by version 10 (one array slot per minute, `argMaxForEach`), as emissions. */
const fromVersion10 = (db: string) => `
  SELECT metric, host, series_id, hour, unit, attributes,
    arrayReduce('${EMISSIONS.replace('groupArray', 'groupArrayState')}', arrayFilter(x -> x.2 > 0,
      arrayMap((x, i) -> (toUInt8(i - 1), x.1, x.2, x.3, x.4, x.5, x.6, x.7, x.8), m, arrayEnumerate(m)))) AS minutes,
    q AS quantiles
  FROM (
    SELECT metric, host, series_id, hour, any(unit) AS unit, any(attributes) AS attributes,
      argMaxForEachMerge(minutes) AS m,
      ${QUANTILES.replace('quantilesTDigest', 'quantilesTDigestMergeState')}(quantiles) AS q
    FROM ${db}.metrics_1h_state_v10 GROUP BY metric, host, series_id, hour
  )`;

/**
 * Per minute of the hour, the emission with the largest count (a re-emitted window ties, a
 * corrected one supersedes), in minute order, as (count, sum, min, max, last, p50, p95, p99);
 * `sorted` holds the hour's emissions by minute, largest count first.
 */
const latestPerMinute = (sorted: string) => `arrayMap(x -> (x.2, x.3, x.4, x.5, x.6, x.7, x.8, x.9),
  arrayFilter((x, i) -> i = 1 OR x.1 != ${sorted}[i - 1].1, ${sorted}, arrayEnumerate(${sorted})))`;

async function count(client: ClickHouseClient, query: string): Promise<number> {
  const rs = await client.query({ query, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string }>())[0]?.n ?? 0);
}

/**
 * `metrics_1h` v3. Version 10 kept a series' hour as one array slot per minute up to the window's
 * own (`argMaxForEach` over `range(minute + 1)`): every 1-minute window inserted a state of up to
 * 60 slots and every merge combined them slot by slot, so in a fleet, where there are about as many
 * windows as samples, the rollup cost the engine several times what storing the samples did. Now
 * each window adds one tuple, its emission (`groupArray`, at most `HOURLY_EMISSIONS_MAX` per hour),
 * and `metrics_1h` takes per minute the emission with the largest count when it is read: the same
 * answers (a re-emitted window ties, a corrected one supersedes). The hour's percentiles still come
 * from a t-digest of its raw samples. Hours rolled up by version 10 are converted; its table stays
 * as `metrics_1h_state_v10` when it held any (drop it at will).
 */
export const hourlyRollupEmissions: Migration = {
  version: 12,
  name: 'hourly rollup: one tuple per window emission',
  statements: () => [],
  run: async (client, db, ddl) => {
    const exec = (query: string) => client.command({ query });
    await exec(`DROP VIEW IF EXISTS ${db}.metrics_1h_minutes_mv${ddl.on}`);
    await exec(`DROP VIEW IF EXISTS ${db}.metrics_1h_samples_mv${ddl.on}`);
    const v10 = await count(
      client,
      `SELECT count() AS n FROM system.columns WHERE database = '${db}' AND table = 'metrics_1h_state'
         AND name = 'minutes' AND type LIKE '%argMaxForEach%'`,
    );
    if (v10 > 0) await exec(`RENAME TABLE ${db}.metrics_1h_state TO ${db}.metrics_1h_state_v10${ddl.on}`);
    await exec(table(db, ddl));
    const hasV10 = await count(
      client,
      `SELECT count() AS n FROM system.tables WHERE database = '${db}' AND name = 'metrics_1h_state_v10'`,
    );
    if (hasV10 > 0) {
      // Repeating this after an interruption is harmless: emissions of a minute tie, and a
      // t-digest merged twice has the same quantiles.
      await exec(
        `INSERT INTO ${db}.metrics_1h_state (metric, host, series_id, hour, unit, attributes, minutes, quantiles) ${fromVersion10(db)}`,
      );
      const rows = await count(client, `SELECT count() AS n FROM ${db}.metrics_1h_state_v10`);
      if (rows === 0) await exec(`DROP TABLE ${db}.metrics_1h_state_v10${ddl.on}`);
    }
    await exec(
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.metrics_1h_minutes_mv${ddl.on} TO ${db}.metrics_1h_state
         (metric, host, series_id, hour, unit, attributes, minutes) AS ${fromWindows(db)}`,
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
        SELECT metric, host, series_id, hour, unit, attributes, ${latestPerMinute('sorted')} AS m, q
        FROM (
          SELECT metric, host, series_id, hour, any(unit) AS unit, any(attributes) AS attributes,
            arraySort(x -> (x.1, -toInt64(x.2)), ${EMISSIONS.replace('groupArray', 'groupArrayMerge')}(minutes)) AS sorted,
            ${QUANTILES.replace('quantilesTDigest', 'quantilesTDigestMerge')}(quantiles) AS q
          FROM ${db}.metrics_1h_state
          GROUP BY metric, host, series_id, hour
        )
      )
      WHERE length(m) > 0`);
  },
};
