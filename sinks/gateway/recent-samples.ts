import type { ClickHouseClient } from '@clickhouse/client';
import type { MetricSample } from '../../schemas';

/**
 * The last minutes of the headline series (total CPU and memory utilization), oldest first; past
 * `limit` rows (many hosts), the newest `limit`, so every chart and tile still ends now.
 */
export async function recentSamples(
  client: ClickHouseClient,
  db: string,
  minutes = 15,
  limit = 20_000,
): Promise<MetricSample[]> {
  const rs = await client.query({
    query: `SELECT event_id, host, toUnixTimestamp64Milli(ts) AS ts, metric, value, unit, attributes
            FROM ${db}.metrics FINAL
            WHERE ts > now64(3) - toIntervalMinute({minutes:UInt32})
              AND ((metric = 'system.cpu.utilization' AND empty(attributes)) OR metric = 'system.memory.utilization')
            ORDER BY ts DESC LIMIT {limit:UInt32}`,
    query_params: { minutes, limit },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<MetricSample & { ts: string | number }>();
  return rows.reverse().map((r) => ({ ...r, ts: Number(r.ts) }));
}
