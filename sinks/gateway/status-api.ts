import type { ServerResponse } from 'node:http';
import type { ClickHouseClient } from '@clickhouse/client';
import { errorMessage } from '../../core/errors';
import type { PipelineMetrics } from '../../core/metrics';
import { sendJson } from './http-api';

/** Named dependency checks for /ready: each resolves when the dependency answers, or throws why not. */
export type ReadinessChecks = Record<string, () => Promise<unknown>>;

/**
 * GET /ready: 200 when every dependency answers within `timeoutMs`, else 503 with each one's
 * state; the reason a check failed only for a caller with the token.
 */
export async function handleReady(
  res: ServerResponse,
  checks: ReadinessChecks,
  details: boolean,
  timeoutMs = 3000,
): Promise<void> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise(
            (_, reject) =>
              (timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)),
          ),
        ]);
        return [name, { ok: true }] as const;
      } catch (err) {
        return [
          name,
          details ? { ok: false, error: errorMessage(err).split('\n')[0] } : { ok: false },
        ] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const ready = results.every(([, r]) => r.ok);
  sendJson(res, ready ? 200 : 503, { ready, checks: Object.fromEntries(results) });
}

export type PipelineStats = Record<
  string,
  { help: string; type: string; values: { labels: object; value: number }[] }
>;

/**
 * The pipeline's own counters and gauges (events in and out, drops by reason, dedupe hits, late
 * events, breaker states, lag per partition, backpressure, WebSocket clients…), one entry per
 * metric with its labelled values: the same numbers as /metrics, as JSON.
 */
export async function pipelineStats(metrics: PipelineMetrics): Promise<PipelineStats> {
  const all = await metrics.registry.getMetricsAsJSON();
  const stats: PipelineStats = {};
  for (const m of all) {
    if (!m.name.startsWith('tidewatch_') || m.name.startsWith('tidewatch_nodejs_')) continue;
    const type = String(m.type);
    if (type !== 'counter' && type !== 'gauge') continue;
    stats[m.name] = {
      help: m.help,
      type,
      values: m.values.map((v) => ({ labels: v.labels, value: v.value })),
    };
  }
  return stats;
}

/** Each agent's spool as it last reported it (its tidewatch.agent.spool.* samples, last 15 minutes). */
async function agentSpools(clickhouse: ClickHouseClient, database: string) {
  const rs = await clickhouse.query({
    query: `SELECT host,
              argMaxIf(value, ts, metric = 'tidewatch.agent.spool.records') AS spool_records,
              argMaxIf(value, ts, metric = 'tidewatch.agent.spool.usage') AS spool_bytes,
              toUnixTimestamp64Milli(max(ts)) AS reported_at
            FROM ${database}.metrics
            WHERE metric IN ('tidewatch.agent.spool.records', 'tidewatch.agent.spool.usage')
              AND ts > now64(3) - INTERVAL 15 MINUTE
            GROUP BY host ORDER BY spool_records DESC, host LIMIT 500`,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<Record<string, unknown>>();
  return rows.map((r) => ({
    host: String(r.host),
    spool_records: Number(r.spool_records),
    spool_bytes: Number(r.spool_bytes),
    reported_at: Number(r.reported_at),
  }));
}

/** GET /api/pipeline/stats: `pipelineStats`, plus every agent's spool depth from ClickHouse. */
export async function handlePipelineStats(
  res: ServerResponse,
  metrics: PipelineMetrics,
  store: { clickhouse: ClickHouseClient; database: string },
): Promise<void> {
  const [stats, agents] = await Promise.all([
    pipelineStats(metrics),
    agentSpools(store.clickhouse, store.database),
  ]);
  sendJson(res, 200, { stats, agents });
}
