import type { ClickHouseClient } from '@clickhouse/client';
import type { Sink } from '../../core/stream';
import type { MetricAggregate } from '../../schemas';
import { idempotentInsert } from './idempotent-insert';
import { windowLabel } from './window-label';

/**
 * Closed windows into `<db>.aggregates` (read through the `metrics_10s` / `metrics_1m` views).
 * Idempotent: the insert's deduplication token covers each window's identity and count, and the
 * table keeps one row per window, the one with the highest count, so a window corrected by late
 * samples (emitted again with a larger count) supersedes the first emission, here and in
 * `metrics_1h`.
 */
export function clickhouseAggregatesSink(client: ClickHouseClient, db: string): Sink<MetricAggregate> {
  return {
    name: 'clickhouse-aggregates',
    write: (batch) =>
      idempotentInsert(
        client,
        `${db}.aggregates`,
        batch.map(({ window_ms, ...rest }) => ({ window: windowLabel(window_ms), ...rest })),
        (a) =>
          `${a.window}|${a.host}|${a.metric}|${JSON.stringify(a.attributes)}|${a.window_start}|${a.count}`,
      ),
    close: async () => undefined,
  };
}
