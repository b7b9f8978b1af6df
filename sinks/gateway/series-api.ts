import type { ServerResponse } from 'node:http';
import type { ClickHouseClient } from '@clickhouse/client';
import { PROMOTED_ATTRIBUTES } from '../clickhouse';
import { HOST_NAME } from './hosts-api';
import { sendError, sendJson } from './http-api';

/** Ranges the dashboard offers, and the table that holds each at a useful resolution. */
export const RANGES = {
  '5m': { ms: 5 * 60_000, source: 'raw' },
  '15m': { ms: 15 * 60_000, source: 'raw' },
  '1h': { ms: 3_600_000, source: 'raw' },
  '6h': { ms: 6 * 3_600_000, source: '1m' },
  '24h': { ms: 24 * 3_600_000, source: '1m' },
  '7d': { ms: 7 * 24 * 3_600_000, source: '1h' },
} as const;
export type RangeName = keyof typeof RANGES;

/** At most this many points per series, whatever the range (server-side downsampling). */
export const MAX_POINTS = 720;

const METRIC = /^[A-Za-z0-9._]{1,200}(\.\*)?$/;

/** The step (seconds) that keeps `rangeMs` within MAX_POINTS, never finer than the source. */
export function stepSeconds(rangeMs: number, source: 'raw' | '1m' | '1h'): number {
  const floor = source === 'raw' ? 1 : source === '1m' ? 60 : 3600;
  return Math.max(floor, Math.ceil(rangeMs / 1000 / MAX_POINTS / floor) * floor);
}

/** At most this many series in one answer (a metric split by device, mode, interface…). */
export const MAX_SERIES = 48;

/** The promoted columns that name a series within its metric, in the order its label lists them. */
export const LABEL_COLUMNS = ['state', 'mountpoint', 'device', 'interface', 'direction'] as const;

/**
 * The query for a metric's series over a range, one per metric and label (the promoted
 * attributes that are set: CPU mode, device, mountpoint, interface, direction…). `state` (when
 * given) keeps only the series with that promoted state ('' for the series without one, such as
 * total CPU); a metric ending in `.*` takes every metric under that prefix (load averages).
 */
function seriesQuery(db: string, source: 'raw' | '1m' | '1h', byState: boolean): string {
  const col = (c: string) => (source === 'raw' ? c : PROMOTED_ATTRIBUTES[c]);
  const label = `arrayStringConcat(arrayFilter(x -> x != '', [${LABEL_COLUMNS.map(col).join(', ')}]), ' ')`;
  const [table, time, mean, max] =
    source === 'raw'
      ? ['metrics', 'ts', 'avg(value)', 'max(value)']
      : source === '1m'
        ? ['metrics_1m', 'window_start', 'sum(sum) / sum(count)', 'max(max)']
        : ['metrics_1h', 'hour', 'sum(sum) / sum(count)', 'max(max)'];
  const since = source === 'raw' ? 'now64(3)' : 'now()';
  const where = `host = {host:String}
      AND (metric = {metric:String} OR ({prefix:String} != '' AND startsWith(metric, {prefix:String})))
      ${byState ? `AND ${col('state')} = {state:String}` : ''}
      AND ${time} >= ${since} - toIntervalSecond({seconds:UInt32})`;
  return `SELECT metric AS m, ${label} AS label,
            toUnixTimestamp(toStartOfInterval(${time}, toIntervalSecond({step:UInt32}))) * 1000 AS t,
            ${mean} AS mean, ${max} AS max
          FROM ${db}.${table}
          WHERE ${where}
            AND (m, label) IN (
              SELECT DISTINCT metric, ${label} FROM ${db}.${table} WHERE ${where}
              ORDER BY 1, 2 LIMIT ${MAX_SERIES})
          GROUP BY m, label, t ORDER BY m, label, t`;
}

/**
 * GET /api/series?host=&metric=&state=&range=: a metric's series over a range, from the raw
 * samples (up to 1 h), the 1-minute windows (6 h, 24 h) or the hourly rollup (7 d), at most
 * MAX_POINTS points of [time ms, mean, max] each: `series` has one entry per metric and label,
 * `points` the first one's (the one series asked for with `state`).
 */
export async function handleSeries(
  res: ServerResponse,
  search: URLSearchParams,
  deps: { clickhouse: ClickHouseClient; database: string },
): Promise<void> {
  const host = search.get('host') ?? '';
  const metric = search.get('metric') ?? '';
  const state = search.get('state');
  const range = (search.get('range') ?? '15m') as RangeName;
  if (!HOST_NAME.test(host))
    return sendError(res, 400, 'TW_ERR_BAD_REQUEST', 'host: letters, digits and . _ : -');
  if (!METRIC.test(metric))
    return sendError(
      res,
      400,
      'TW_ERR_BAD_REQUEST',
      'metric: a metric name such as system.cpu.utilization, or a prefix such as system.cpu.load_average.*',
    );
  if (!(range in RANGES))
    return sendError(res, 400, 'TW_ERR_BAD_REQUEST', `range: one of ${Object.keys(RANGES).join(', ')}`);
  if (state !== null && state.length > 100)
    return sendError(res, 400, 'TW_ERR_BAD_REQUEST', 'state: at most 100 characters');
  const { ms, source } = RANGES[range];
  const step = stepSeconds(ms, source);
  const prefix = metric.endsWith('.*') ? metric.slice(0, -1) : '';
  const rs = await deps.clickhouse.query({
    query: seriesQuery(deps.database, source, state !== null),
    query_params: { host, metric, prefix, state: state ?? '', step, seconds: Math.round(ms / 1000) },
    format: 'JSONCompactEachRow',
  });
  const rows = await rs.json<[string, string, number | string, number, number]>();
  const series: { metric: string; label: string; points: [number, number, number][] }[] = [];
  for (const [m, label, t, mean, max] of rows) {
    let last = series[series.length - 1];
    if (!last || last.metric !== m || last.label !== label)
      series.push((last = { metric: m, label, points: [] }));
    last.points.push([Number(t), mean, max]);
  }
  sendJson(res, 200, {
    host,
    metric,
    state,
    range,
    source,
    step_seconds: step,
    points: series[0]?.points ?? [],
    series,
  });
}
