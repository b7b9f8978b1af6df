import type { ClickHouseClient } from '@clickhouse/client';
import type { Migration } from './migration';

/**
 * An hour's sealed percentiles: (stored samples, p50, p95, p99), of the sealing that saw the most
 * samples inserted (`argMax` by that count). A group with no sealing merges to samples 0.
 */
export const SEALED = 'AggregateFunction(argMax, Tuple(UInt64, Float64, Float64, Float64), UInt64)';
const EMISSIONS = 'groupArray(600)';
const DIGEST = 'quantilesTDigest(0.5, 0.95, 0.99)';

/**
 * Per minute of the hour, the emission with the largest count, as in version 12 (`sorted` holds
 * the hour's emissions by minute, largest count first).
 */
const latestPerMinute = (sorted: string) => `arrayMap(x -> (x.2, x.3, x.4, x.5, x.6, x.7, x.8, x.9),
  arrayFilter((x, i) -> i = 1 OR x.1 != ${sorted}[i - 1].1, ${sorted}, arrayEnumerate(${sorted})))`;

/** The minutes' own percentiles, count-weighted: the `i`-th of p50, p95, p99 (x.6, x.7, x.8). */
const fromMinutes = (i: number, q: string) =>
  `arrayReduce('quantileExactWeighted(${q})', arrayMap(x -> x.${5 + i}, m), arrayMap(x -> x.1, m))`;

async function count(client: ClickHouseClient, query: string): Promise<number> {
  const rs = await client.query({ query, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string }>())[0]?.n ?? 0);
}

/**
 * `metrics_1h` v4. Version 12 kept the hour's percentiles as a t-digest fed by a materialized
 * view on `metrics`: every raw sample inserted a digest state of its own (in a fleet each insert
 * holds about one sample per series), several times the engine's cost of storing the sample, and a
 * sample stored twice weighed twice. Now an hour is sealed once it has closed and its samples
 * have stopped coming: its percentiles are computed, exact, from the stored samples with
 * duplicates removed (`seal-hours.ts`), and sealed again when samples of it arrive later.
 * `metrics_1h_arrivals` counts the samples inserted per host and hour, and when the last were (a
 * view on `metrics` with one group per host and hour of an insert), and `metrics_1h_seals` what
 * each sealing saw, so the sealer finds what needs it. Until an hour is
 * sealed, its percentiles are the version-12 digest's when it has one, else the minutes'
 * count-weighted percentiles. Hours still in `metrics` are counted as arrivals here, so they are
 * sealed too.
 */
export const hourlyRollupSealed: Migration = {
  version: 13,
  name: 'hourly rollup: percentiles sealed from the hour’s stored samples',
  statements: () => [],
  run: async (client, db, ddl) => {
    const exec = (query: string) => client.command({ query });
    await exec(`DROP VIEW IF EXISTS ${db}.metrics_1h_samples_mv${ddl.on}`);
    await exec(`ALTER TABLE ${db}.metrics_1h_state${ddl.on} ADD COLUMN IF NOT EXISTS sealed ${SEALED}`);
    await exec(`CREATE TABLE IF NOT EXISTS ${db}.metrics_1h_arrivals${ddl.on} (
        hour DateTime('UTC'),
        host LowCardinality(String),
        rows SimpleAggregateFunction(sum, UInt64),
        last SimpleAggregateFunction(max, DateTime('UTC'))
      )
      ${ddl.engine('AggregatingMergeTree')}
      ORDER BY (hour, host)
      TTL hour + INTERVAL 7 DAY`);
    await exec(`CREATE TABLE IF NOT EXISTS ${db}.metrics_1h_seals${ddl.on} (
        hour DateTime('UTC'),
        host LowCardinality(String),
        rows UInt64
      )
      ${ddl.engine('ReplacingMergeTree', 'rows')}
      ORDER BY (hour, host)
      TTL hour + INTERVAL 7 DAY`);
    // Counted before the view exists: an interrupted run repeats this only while nothing is counted.
    const counted = await count(client, `SELECT count() AS n FROM ${db}.metrics_1h_arrivals`);
    if (counted === 0)
      await exec(`INSERT INTO ${db}.metrics_1h_arrivals (hour, host, rows, last)
        SELECT toStartOfHour(ts) AS hour, host, count() AS rows, toDateTime(0, 'UTC') AS last
        FROM ${db}.metrics GROUP BY hour, host`);
    await exec(
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.metrics_1h_arrivals_mv${ddl.on} TO ${db}.metrics_1h_arrivals
         (hour, host, rows, last) AS
       SELECT toStartOfHour(ts) AS hour, host, count() AS rows, now('UTC') AS last
       FROM ${db}.metrics GROUP BY hour, host`,
    );
    await exec(`DROP VIEW IF EXISTS ${db}.metrics_1h${ddl.on}`);
    await exec(`CREATE VIEW ${db}.metrics_1h${ddl.on} AS
      SELECT host, metric, unit, attributes, hour,
        arraySum(x -> x.1, m) AS count, arraySum(x -> x.2, m) AS sum,
        arrayMin(x -> x.3, m) AS min, arrayMax(x -> x.4, m) AS max,
        arraySum(x -> x.2, m) / arraySum(x -> x.1, m) AS mean, m[-1].5 AS last,
        multiIf(s.1 > 0, s.2, NOT isNaN(q[1]), q[1], ${fromMinutes(1, '0.5')}) AS p50,
        multiIf(s.1 > 0, s.3, NOT isNaN(q[2]), q[2], ${fromMinutes(2, '0.95')}) AS p95,
        multiIf(s.1 > 0, s.4, NOT isNaN(q[3]), q[3], ${fromMinutes(3, '0.99')}) AS p99
      FROM (
        SELECT metric, host, series_id, hour, unit, attributes, ${latestPerMinute('sorted')} AS m, q, s
        FROM (
          SELECT metric, host, series_id, hour, any(unit) AS unit, any(attributes) AS attributes,
            arraySort(x -> (x.1, -toInt64(x.2)), ${EMISSIONS.replace('groupArray', 'groupArrayMerge')}(minutes)) AS sorted,
            ${DIGEST.replace('quantilesTDigest', 'quantilesTDigestMerge')}(quantiles) AS q,
            argMaxMerge(sealed) AS s
          FROM ${db}.metrics_1h_state
          GROUP BY metric, host, series_id, hour
        )
      )
      WHERE length(m) > 0`);
  },
};
