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

const METRIC = /^[A-Za-z0-9._]{1,200}$/;

/** The step (seconds) that keeps `rangeMs` within MAX_POINTS, never finer than the source. */
export function stepSeconds(rangeMs: number, source: 'raw' | '1m' | '1h'): number {
  const floor = source === 'raw' ? 1 : source === '1m' ? 60 : 3600;
  return Math.max(floor, Math.ceil(rangeMs / 1000 / MAX_POINTS / floor) * floor);
}

/**
 * The query for one series over a range. `state` is the promoted attribute of that name (CPU
 * mode, memory state…; '' for the series without one, such as total CPU), computed from the map
 * the same way for the window views as for the raw table.
 */
function seriesQuery(db: string, source: 'raw' | '1m' | '1h'): string {
  if (source === 'raw')
    return `SELECT toUnixTimestamp(toStartOfInterval(ts, toIntervalSecond({step:UInt32}))) * 1000 AS t,
              avg(value) AS mean, max(value) AS max
            FROM ${db}.metrics
            WHERE metric = {metric:String} AND host = {host:String} AND state = {state:String}
              AND ts >= now64(3) - toIntervalSecond({seconds:UInt32})
            GROUP BY t ORDER BY t`;
  const [table, time] = source === '1m' ? ['metrics_1m', 'window_start'] : ['metrics_1h', 'hour'];
  return `SELECT toUnixTimestamp(toStartOfInterval(${time}, toIntervalSecond({step:UInt32}))) * 1000 AS t,
            sum(sum) / sum(count) AS mean, max(max) AS max
          FROM ${db}.${table}
          WHERE metric = {metric:String} AND host = {host:String}
            AND ${PROMOTED_ATTRIBUTES.state} = {state:String}
            AND ${time} >= now() - toIntervalSecond({seconds:UInt32})
          GROUP BY t ORDER BY t`;
}

/**
 * GET /api/series?host=&metric=&state=&range=: one series over a range, from the raw samples
 * (up to 1 h), the 1-minute windows (6 h, 24 h) or the hourly rollup (7 d), at most MAX_POINTS
 * points of [time ms, mean, max].
 */
export async function handleSeries(
  res: ServerResponse,
  search: URLSearchParams,
  deps: { clickhouse: ClickHouseClient; database: string },
): Promise<void> {
  const host = search.get('host') ?? '';
  const metric = search.get('metric') ?? '';
  const state = search.get('state') ?? '';
  const range = (search.get('range') ?? '15m') as RangeName;
  if (!HOST_NAME.test(host))
    return sendError(res, 400, 'TW_ERR_BAD_REQUEST', 'host: letters, digits and . _ : -');
  if (!METRIC.test(metric))
    return sendError(res, 400, 'TW_ERR_BAD_REQUEST', 'metric: a metric name such as system.cpu.utilization');
  if (!(range in RANGES))
    return sendError(res, 400, 'TW_ERR_BAD_REQUEST', `range: one of ${Object.keys(RANGES).join(', ')}`);
  if (state.length > 100) return sendError(res, 400, 'TW_ERR_BAD_REQUEST', 'state: at most 100 characters');
  const { ms, source } = RANGES[range];
  const step = stepSeconds(ms, source);
  const rs = await deps.clickhouse.query({
    query: seriesQuery(deps.database, source),
    query_params: { host, metric, state, step, seconds: Math.round(ms / 1000) },
    format: 'JSONCompactEachRow',
  });
  const rows = await rs.json<[number | string, number, number]>();
  sendJson(res, 200, {
    host,
    metric,
    state,
    range,
    source,
    step_seconds: step,
    points: rows.map(([t, mean, max]) => [Number(t), mean, max]),
  });
}
