import crypto from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { SinkWriteError, errorMessage } from '../../core/errors';
import type { Sink } from '../../core/stream';
import type { MetricSample } from '../../schemas';

/**
 * Writes raw samples to `<db>.metrics`. The insert carries a deduplication token derived from the
 * batch's event ids, so a retried or re-delivered batch is dropped by ClickHouse itself; rows that
 * arrive in a differently cut batch collapse by key in the ReplacingMergeTree.
 */
export function clickhouseMetricsSink(client: ClickHouseClient, db: string): Sink<MetricSample> {
  return {
    name: 'clickhouse',
    async write(batch) {
      if (batch.length === 0) return;
      const hash = crypto.createHash('sha256');
      for (const s of batch) hash.update(s.event_id).update('\n');
      try {
        await client.insert({
          table: `${db}.metrics`,
          values: batch,
          format: 'JSONEachRow',
          clickhouse_settings: { insert_deduplication_token: hash.digest('hex') },
        });
      } catch (err) {
        throw new SinkWriteError(`ClickHouse insert of ${batch.length} rows failed: ${errorMessage(err)}`, {
          cause: err,
        });
      }
    },
    close: async () => undefined,
  };
}
