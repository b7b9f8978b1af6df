import type { ServerResponse } from 'node:http';
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

/**
 * GET /api/pipeline/stats: the pipeline's own counters and gauges (events in and out, drops by
 * reason, dedupe hits, late events, breaker states, WebSocket clients…) as JSON, one entry per
 * metric with its labelled values. The same numbers as /metrics, for the dashboard.
 */
export async function handlePipelineStats(res: ServerResponse, metrics: PipelineMetrics): Promise<void> {
  const all = await metrics.registry.getMetricsAsJSON();
  const stats: Record<string, { help: string; type: string; values: { labels: object; value: number }[] }> =
    {};
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
  sendJson(res, 200, { stats });
}
