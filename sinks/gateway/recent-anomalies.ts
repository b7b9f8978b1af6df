import type { ServerResponse } from 'node:http';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Anomaly } from '../../schemas';
import { sendError, sendJson } from './http-api';

/** Incidents of the last `hours`, newest first, each in its latest state (the `anomalies` view). */
export async function recentAnomalies(
  client: ClickHouseClient,
  db: string,
  hours = 24,
  limit = 200,
): Promise<Anomaly[]> {
  const rs = await client.query({
    query: `SELECT id, group_id, status, version, host, metric, unit, attributes,
                   toUnixTimestamp64Milli(ts) AS ts, toUnixTimestamp64Milli(started_at) AS started_at,
                   if(isNull(ended_at), NULL, toUnixTimestamp64Milli(assumeNotNull(ended_at))) AS ended_at,
                   value, expected, lower, upper, score, severity, detector, reason, samples
            FROM ${db}.anomalies
            WHERE started_at > now64(3) - toIntervalHour({hours:UInt32})
            ORDER BY started_at DESC LIMIT {limit:UInt32}`,
    query_params: { hours, limit },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<Record<string, unknown>>();
  return rows.map(
    (r) =>
      ({
        ...r,
        ts: Number(r.ts),
        started_at: Number(r.started_at),
        ended_at: r.ended_at === null ? null : Number(r.ended_at),
        version: Number(r.version),
        samples: Number(r.samples),
      }) as Anomaly,
  );
}

/** GET /api/anomalies?hours=24: the incidents of the last hours (1 to 2160), newest first. */
export async function handleAnomalies(
  res: ServerResponse,
  search: URLSearchParams,
  deps: { clickhouse: ClickHouseClient; database: string },
): Promise<void> {
  const hours = Number(search.get('hours') ?? 24);
  if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 90)
    return sendError(res, 400, 'TW_ERR_BAD_REQUEST', 'hours must be a whole number from 1 to 2160');
  sendJson(res, 200, { anomalies: await recentAnomalies(deps.clickhouse, deps.database, hours) });
}
