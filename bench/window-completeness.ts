import type { ClickHouseClient } from '../sinks/clickhouse';

export interface WindowCompleteness {
  /** Windows of this size in the aggregates table. */
  emitted: number;
  /** Windows the raw table says must have closed: each host's newest sample is past their end + lateness. */
  expected: number;
  /** Expected windows with no aggregate. */
  missing: number;
  /** Aggregates whose count is not the number of distinct raw samples of their series and window. */
  differ: number;
  complete: boolean;
}

/**
 * Checks the `window` aggregates against the raw samples: every aggregate's count (its newest
 * correction: the largest) equals the distinct raw samples of its series in its window, and every
 * window that must have closed (its end + `latenessMs` at or before its host's newest sample) has
 * an aggregate. Reads every row as stored: no `FINAL`, duplicates counted by event id.
 */
export async function windowCompleteness(
  clickhouse: ClickHouseClient,
  database: string,
  windowMs: number,
  label: string,
  latenessMs: number,
): Promise<WindowCompleteness> {
  const key = `host, metric, toString(CAST(attributes, 'Map(String, String)')) AS attrs`;
  const query = `
    WITH
      raw AS (
        SELECT ${key}, toDateTime64(toStartOfInterval(ts, toIntervalSecond(intDiv({w:UInt64}, 1000))), 3, 'UTC') AS start,
               uniqExact(event_id) AS n, max(max(ts)) OVER (PARTITION BY host) AS host_max
        FROM ${database}.metrics GROUP BY host, metric, attrs, start),
      agg AS (
        SELECT ${key}, window_start AS start, max(count) AS n
        FROM ${database}.aggregates WHERE window = {label:String} GROUP BY host, metric, attrs, start)
    SELECT
      (SELECT count() FROM agg) AS emitted,
      (SELECT count() FROM raw WHERE start + toIntervalMillisecond({w:UInt64} + {late:UInt64}) <= host_max) AS expected,
      (SELECT count() FROM raw LEFT ANTI JOIN agg USING (host, metric, attrs, start)
         WHERE start + toIntervalMillisecond({w:UInt64} + {late:UInt64}) <= host_max) AS missing,
      (SELECT count() FROM agg LEFT JOIN raw USING (host, metric, attrs, start) WHERE agg.n != raw.n) AS differ`;
  const rs = await clickhouse.query({
    query,
    query_params: { w: windowMs, late: latenessMs, label },
    format: 'JSONEachRow',
  });
  const row = (await rs.json<Record<string, string>>())[0]!;
  const out = {
    emitted: Number(row.emitted),
    expected: Number(row.expected),
    missing: Number(row.missing),
    differ: Number(row.differ),
  };
  return { ...out, complete: out.missing === 0 && out.differ === 0 && out.emitted >= out.expected };
}
