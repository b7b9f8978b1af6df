import crypto from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { SinkWriteError, errorMessage } from '../../core/errors';
import type { Sink } from '../../core/stream';
import type { MetricAggregate } from '../../schemas';
import { windowLabel } from './window-label';

/**
 * Closed windows into `<db>.aggregates` (read through the `metrics_10s` / `metrics_1m` views).
 * Idempotent: the insert's deduplication token covers each window's identity and count, and the
 * table keeps one row per window, the one with the highest count.
 */
export function clickhouseAggregatesSink(client: ClickHouseClient, db: string): Sink<MetricAggregate> {
  return {
    name: 'clickhouse-aggregates',
    async write(batch) {
      if (batch.length === 0) return;
      const hash = crypto.createHash('sha256');
      const rows = batch.map((a) => {
        const window = windowLabel(a.window_ms);
        hash.update(
          `${window}|${a.host}|${a.metric}|${JSON.stringify(a.attributes)}|${a.window_start}|${a.count}\n`,
        );
        const { window_ms: _ms, ...rest } = a;
        return { window, ...rest };
      });
      try {
        await client.insert({
          table: `${db}.aggregates`,
          values: rows,
          format: 'JSONEachRow',
          clickhouse_settings: { insert_deduplication_token: hash.digest('hex') },
        });
      } catch (err) {
        throw new SinkWriteError(
          `ClickHouse insert of ${batch.length} aggregates failed: ${errorMessage(err)}`,
          { cause: err },
        );
      }
    },
    close: async () => undefined,
  };
}
